using System.Security.Claims;
using Microsoft.Extensions.Options;
using Tollgate.Billing.Catalog;
using Tollgate.Catalog;
using Tollgate.Hosting;
using Tollgate.Security;
using Tollgate.Storage;

namespace Tollgate.Admin.Services;

/// <summary>Creating and changing customers, for the admin API and the console alike: one validation, one audit entry, one snapshot swap.</summary>
internal sealed class CustomerService(ICustomerStore store, CatalogState catalog, CatalogRefresher refresher, IOptions<MoneyBounds> bounds, TimeProvider time)
{
    public async Task<Outcome<CustomerDto>> CreateAsync(CustomerRequest? body, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        if (body?.Name is not { } name || !IsValidName(name)) return ApiErrorResult.Invalid("'name' is required (1 to 200 characters).", "name");
        var mode = BillingMode.Prepaid;
        if (body.BillingMode is not null && !StoredNames.TryParse(body.BillingMode, out mode))
            return ApiErrorResult.Invalid("'billing_mode' must be 'prepaid' or 'postpaid'.", "billing_mode");
        if (!MoneyField.TryRead(body.CreditLimit, null, "credit_limit", bounds.Value.MaxCreditLimit, out var credit, out var invalid)
            || !MoneyField.TryRead(body.MonthlyBudget, null, "monthly_budget", bounds.Value.MaxBudget, out var budget, out invalid)
            || !RateLimitsField.TryRead(body.RateLimits, null, out var limits, out invalid)) return invalid!;
        var now = time.UtcNowStored();
        var customer = new CustomerEntry(RandomText.Id("cus_"), name.Trim(), mode, now) { CreditLimit = credit, MonthlyBudget = budget, Limits = limits };
        var dto = ToDto(customer);
        await store.CreateAsync(customer, user.Audit("customer.create", "customer", customer.Id, null, dto, AdminJson.Default.CustomerDto, now), cancellationToken);
        await refresher.ReloadAsync(cancellationToken);
        return dto;
    }

    public async Task<Outcome<CustomerDto>> UpdateAsync(string customerId, CustomerRequest? body, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        if (!catalog.Current.Customers.TryGetValue(customerId, out var customer)) return ApiErrorResult.NotFound("customer", customerId);
        if (body is null) return ApiErrorResult.Invalid("A JSON body is required.", "body");
        if (body.Name is { } name && !IsValidName(name)) return ApiErrorResult.Invalid("'name' must be 1 to 200 characters.", "name");
        var mode = customer.BillingMode;
        if (body.BillingMode is not null && !StoredNames.TryParse(body.BillingMode, out mode))
            return ApiErrorResult.Invalid("'billing_mode' must be 'prepaid' or 'postpaid'.", "billing_mode");
        if (!MoneyField.TryRead(body.CreditLimit, customer.CreditLimit, "credit_limit", bounds.Value.MaxCreditLimit, out var credit, out var invalid)
            || !MoneyField.TryRead(body.MonthlyBudget, customer.MonthlyBudget, "monthly_budget", bounds.Value.MaxBudget, out var budget, out invalid)
            || !RateLimitsField.TryRead(body.RateLimits, customer.Limits, out var limits, out invalid)) return invalid!;
        var updated = customer with
        {
            Name = body.Name?.Trim() ?? customer.Name,
            BillingMode = mode,
            CreditLimit = credit,
            MonthlyBudget = budget,
            Limits = limits,
        };
        var after = ToDto(updated);
        await store.UpdateAsync(updated, user.Audit("customer.update", "customer", customerId, ToDto(customer), after, AdminJson.Default.CustomerDto, time.UtcNowStored()),
            cancellationToken);
        await refresher.ReloadAsync(cancellationToken);
        return after;
    }

    private static bool IsValidName(string name) => !string.IsNullOrWhiteSpace(name) && name.Trim().Length <= 200;

    internal static CustomerDto ToDto(CustomerEntry c) =>
        new(c.Id, c.Name, StoredNames.Of(c.BillingMode), c.CreatedAt, MoneyField.Format(c.CreditLimit), MoneyField.Format(c.MonthlyBudget), c.Limits);
}
