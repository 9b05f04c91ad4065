using Microsoft.AspNetCore.Http.HttpResults;
using Tollgate.Storage;

namespace Tollgate.Admin;

/// <summary>Usage events, filtered by customer, key, model, backend and time.</summary>
internal static class UsageEndpoints
{
    public const int MaxLimit = 1000;

    public static void MapUsage(this RouteGroupBuilder admin) =>
        admin.MapGet("/usage", ListAsync).RequireAuthorization(AdminScopes.Policy(AdminScopes.Read));

    private static async Task<Results<Ok<ListResponse<UsageEventDto>>, ApiErrorResult>> ListAsync(
        IUsageQueries usage, string? customerId, string? keyId, string? model, string? backend,
        DateTimeOffset? from, DateTimeOffset? to, int? limit, CancellationToken cancellationToken)
    {
        var take = limit ?? 100;
        if (take < 1 || take > MaxLimit) return ApiErrorResult.Invalid($"'limit' must be from 1 to {MaxLimit}.", "limit");
        var events = await usage.ListAsync(new UsageFilter(customerId, keyId, model, backend, from, to, take + 1), cancellationToken);
        return TypedResults.Ok(new ListResponse<UsageEventDto>([.. events.Take(take).Select(ToDto)], events.Count > take));
    }

    private static UsageEventDto ToDto(UsageEvent e) => new(
        e.RequestId, e.CustomerId, e.KeyId, e.ModelId, e.BackendId, e.PriceVersion,
        e.Tokens.InputTokens, e.Tokens.CachedInputTokens, e.Tokens.OutputTokens, e.Tokens.ReasoningTokens, e.Units,
        Billing.Money.Format(e.ListAmount), Billing.Money.Format(e.ChargedAmount), Billing.Money.Format(e.CostToServe),
        StoredNames.Of(e.Status), StoredNames.Of(e.Source), e.Streamed, e.LatencyMs, e.TimeToFirstTokenMs, e.StartedAt, e.CompletedAt);
}
