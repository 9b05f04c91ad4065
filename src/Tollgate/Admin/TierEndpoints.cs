using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Tollgate.Billing;
using Tollgate.Budgets;
using Tollgate.Catalog;
using Tollgate.Gateway;
using Tollgate.Hosting;
using Tollgate.Limits;

namespace Tollgate.Admin;

/// <summary>Spend tiers: the table in force, a customer's standing, and the operator's override (set or cleared, audited).</summary>
internal static class TierEndpoints
{
    private const int MaxNoteLength = 500;

    public static void MapTiers(this RouteGroupBuilder admin)
    {
        admin.MapGet("/tiers", GetTable).RequireAuthorization(AdminScopes.Policy(AdminScopes.Read));
        admin.MapGet("/customers/{customerId}/tier", GetAsync).RequireAuthorization(AdminScopes.Policy(AdminScopes.Read));
        admin.MapPut("/customers/{customerId}/tier", SetAsync).RequireAuthorization(AdminScopes.Policy(AdminScopes.Billing));
        admin.MapDelete("/customers/{customerId}/tier", ClearAsync).RequireAuthorization(AdminScopes.Policy(AdminScopes.Billing));
    }

    private static Ok<TierTableDto> GetTable(Tiers tiers) =>
        TypedResults.Ok(new TierTableDto(tiers.Enabled, [.. tiers.Table.Select((t, i) => new TierRowDto(i, t.Name, Money.Format(t.MinPaid), t.MinAccountAgeDays,
            t.RequestsPerMinute, t.TokensPerMinute, t.MonthlySpendCap is { } cap ? Money.Format(cap) : null))]));

    private static async Task<Results<Ok<CustomerTierDto>, ApiErrorResult>> GetAsync(
        string customerId, CatalogState catalog, Tiers tiers, ITierStore store, Accounts accounts, RateLimiter limiter, TimeProvider time,
        CancellationToken cancellationToken)
    {
        if (Check(customerId, catalog, tiers, out var customer) is { } error) return error;
        var overrides = await store.LoadOverridesAsync(cancellationToken);
        return TypedResults.Ok(ToDto(customer!, overrides.GetValueOrDefault(customerId), tiers, accounts, limiter, time.GetUtcNow()));
    }

    private static async Task<Results<Ok<CustomerTierDto>, ApiErrorResult>> SetAsync(
        string customerId, TierOverrideRequest? body, ClaimsPrincipal user, CatalogState catalog, Tiers tiers, ITierStore store, Accounts accounts,
        RateLimiter limiter, TimeProvider time, CancellationToken cancellationToken)
    {
        if (Check(customerId, catalog, tiers, out var customer) is { } error) return error;
        if (body?.Level is not { } level || level < 0 || level >= tiers.Table.Count)
            return ApiErrorResult.Invalid($"'level' is required: a tier number from 0 to {tiers.Table.Count - 1} (GET /admin/v1/tiers lists them).", "level");
        if (body.Note is { Length: > MaxNoteLength }) return ApiErrorResult.Invalid($"'note' must be at most {MaxNoteLength} characters.", "note");
        var now = time.UtcNowStored();
        var before = (await store.LoadOverridesAsync(cancellationToken)).GetValueOrDefault(customerId);
        var after = new TierOverride(level, string.IsNullOrWhiteSpace(body.Note) ? null : body.Note.Trim(), now);
        await store.SetOverrideAsync(customerId, after,
            user.Audit("tier.override", "customer", customerId, Dto(before), Dto(after), AdminJson.Default.TierOverrideDto, now), cancellationToken);
        tiers.SetOverride(customerId, level);
        return TypedResults.Ok(ToDto(customer!, after, tiers, accounts, limiter, now));
    }

    private static async Task<Results<Ok<CustomerTierDto>, ApiErrorResult>> ClearAsync(
        string customerId, ClaimsPrincipal user, CatalogState catalog, Tiers tiers, ITierStore store, Accounts accounts, RateLimiter limiter,
        TimeProvider time, CancellationToken cancellationToken)
    {
        if (Check(customerId, catalog, tiers, out var customer) is { } error) return error;
        var now = time.UtcNowStored();
        if ((await store.LoadOverridesAsync(cancellationToken)).GetValueOrDefault(customerId) is { } before)
        {
            await store.SetOverrideAsync(customerId, null,
                user.Audit("tier.override_clear", "customer", customerId, Dto(before), null, AdminJson.Default.TierOverrideDto, now), cancellationToken);
            tiers.SetOverride(customerId, null);
        }
        return TypedResults.Ok(ToDto(customer!, null, tiers, accounts, limiter, now));
    }

    private static ApiErrorResult? Check(string customerId, CatalogState catalog, Tiers tiers, out CustomerEntry? customer)
    {
        if (!catalog.Current.Customers.TryGetValue(customerId, out customer)) return ApiErrorResult.NotFound("customer", customerId);
        if (!tiers.Enabled)
            return new ApiErrorResult(new ApiError(StatusCodes.Status409Conflict, "invalid_request_error", "tiers_disabled",
                "Spend tiers are off on this server (Tiers:Enabled=false)."));
        return null;
    }

    private static TierOverrideDto? Dto(TierOverride? value) => value is null ? null : new(value.Level, value.Note, value.SetAt);

    private static CustomerTierDto ToDto(CustomerEntry customer, TierOverride? tierOverride, Tiers tiers, Accounts accounts, RateLimiter limiter, DateTimeOffset now)
    {
        var standing = tiers.Standing(customer, now);
        var document = TierDocument.From(standing, now);
        var automatic = TierStanding.Compute(tiers.Table, standing.Paid, customer.CreatedAt, null, now).Level;
        var month = accounts.CustomerView(customer);
        return new CustomerTierDto(customer.Id, document.Current, document.Next, document.Requirements, document.Overridden, Dto(tierOverride), automatic,
            Money.Format(standing.Paid), TierDocument.AgeDays(customer.CreatedAt, now), Money.Format(month?.MonthSpent ?? 0),
            month?.MonthResetsAt ?? Budgets.BudgetPeriods.NextMonth(now), limiter.CustomerLimits(customer));
    }
}
