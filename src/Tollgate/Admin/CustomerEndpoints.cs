using Microsoft.AspNetCore.Http.HttpResults;
using Tollgate.Billing.Catalog;
using Tollgate.Catalog;
using Tollgate.Security;
using Tollgate.Storage;

namespace Tollgate.Admin;

/// <summary>Customers and their API keys.</summary>
internal static class CustomerEndpoints
{
    public static void MapCustomers(this RouteGroupBuilder admin)
    {
        admin.MapGet("/customers", ListAsync).RequireAuthorization(AdminScopes.Policy(AdminScopes.Read));
        admin.MapPost("/customers", CreateAsync).RequireAuthorization(AdminScopes.Policy(AdminScopes.Billing));
        admin.MapPost("/customers/{customerId}/keys", CreateKeyAsync).RequireAuthorization(AdminScopes.Policy(AdminScopes.Keys));
    }

    private static async Task<Ok<ListResponse<CustomerDto>>> ListAsync(ICatalogStore store, CancellationToken cancellationToken)
    {
        var customers = await store.ListCustomersAsync(cancellationToken);
        return TypedResults.Ok(new ListResponse<CustomerDto>([.. customers.Select(ToDto)], false));
    }

    private static async Task<Results<Created<CustomerDto>, ApiErrorResult>> CreateAsync(
        CreateCustomerRequest? body, ICatalogStore store, CatalogRefresher refresher, TimeProvider time, CancellationToken cancellationToken)
    {
        if (body?.Name is not { } name || string.IsNullOrWhiteSpace(name) || name.Length > 200)
            return ApiErrorResult.Invalid("'name' is required (1 to 200 characters).", "name");
        var mode = BillingMode.Prepaid;
        if (body.BillingMode is not null && !StoredNames.TryParse(body.BillingMode, out mode))
            return ApiErrorResult.Invalid("'billing_mode' must be 'prepaid' or 'postpaid'.", "billing_mode");
        var customer = new CustomerEntry(RandomText.Id("cus_"), name.Trim(), mode, time.GetUtcNow());
        await store.CreateCustomerAsync(customer, cancellationToken);
        await refresher.ReloadAsync(cancellationToken);
        return TypedResults.Created($"/admin/v1/customers/{customer.Id}", ToDto(customer));
    }

    private static async Task<Results<Created<CreatedKeyDto>, ApiErrorResult>> CreateKeyAsync(
        string customerId, CreateKeyRequest? body, ICatalogStore store, CatalogRefresher refresher, CatalogState catalog,
        SecretHasher hasher, TimeProvider time, CancellationToken cancellationToken)
    {
        if (!catalog.Current.Customers.ContainsKey(customerId)) return ApiErrorResult.NotFound("customer", customerId);
        var now = time.GetUtcNow();
        if (body?.ExpiresAt is { } expires && expires <= now)
            return ApiErrorResult.Invalid("'expires_at' must be in the future.", "expires_at");
        if (body?.Models is { } models && (models.Length == 0 || models.Any(string.IsNullOrWhiteSpace)))
            return ApiErrorResult.Invalid("'models' must be a non-empty list of model ids, or omitted for every model.", "models");
        var (id, secret) = ApiKeySecret.Create();
        var name = string.IsNullOrWhiteSpace(body?.Name) ? "key" : body.Name.Trim();
        var key = new KeyEntry(id, customerId, name, hasher.Hash(secret), body?.Models?.ToHashSet(StringComparer.Ordinal), body?.ExpiresAt, null, now);
        await store.CreateKeyAsync(key, cancellationToken);
        await refresher.ReloadAsync(cancellationToken);
        return TypedResults.Created($"/admin/v1/keys/{id}",
            new CreatedKeyDto(id, secret, ApiKeySecret.DisplayPrefix(id), customerId, name, body?.Models, body?.ExpiresAt, now));
    }

    private static CustomerDto ToDto(CustomerEntry c) => new(c.Id, c.Name, StoredNames.Of(c.BillingMode), c.CreatedAt);
}
