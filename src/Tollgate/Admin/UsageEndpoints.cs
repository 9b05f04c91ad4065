using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Http.HttpResults;
using Tollgate.Hosting;
using Tollgate.Billing;
using Tollgate.Storage;

namespace Tollgate.Admin;

/// <summary>Usage events, filtered by customer, key, model, backend and time; and their totals grouped by hour, day, model, customer, key or backend.</summary>
internal static class UsageEndpoints
{
    public const int MaxLimit = 1000;

    public static void MapUsage(this RouteGroupBuilder admin)
    {
        admin.MapGet("/usage", ListAsync).RequireAuthorization(AdminScopes.Policy(AdminScopes.Read));
        admin.MapGet("/usage/summary", SummarizeAsync).RequireAuthorization(AdminScopes.Policy(AdminScopes.Read));
    }

    private static async Task<Results<Ok<ListResponse<UsageEventDto>>, ApiErrorResult>> ListAsync(
        IUsageQueries usage, [FromQuery(Name = "customer_id")] string? customerId, [FromQuery(Name = "key_id")] string? keyId, string? model, string? backend,
        DateTimeOffset? from, DateTimeOffset? to, int? limit, [FromQuery(Name = "starting_after")] string? startingAfter, CancellationToken cancellationToken)
    {
        var take = limit ?? 100;
        if (take < 1 || take > MaxLimit) return ApiErrorResult.Invalid($"'limit' must be from 1 to {MaxLimit}.", "limit");
        var filter = new UsageFilter(customerId, keyId, model, backend, from, to, take + 1, startingAfter);
        var events = await usage.ListAsync(filter, cancellationToken);
        return TypedResults.Ok(new ListResponse<UsageEventDto>([.. events.Take(take).Select(ToDto)], events.Count > take));
    }

    private static async Task<Results<Ok<UsageSummaryDto>, ApiErrorResult>> SummarizeAsync(
        IUsageQueries usage, TimeProvider time, [FromQuery(Name = "group_by")] string? groupBy, [FromQuery(Name = "customer_id")] string? customerId, [FromQuery(Name = "key_id")] string? keyId, string? model, string? backend,
        DateTimeOffset? from, DateTimeOffset? to, CancellationToken cancellationToken)
    {
        var grouping = UsageGrouping.Day;
        if (groupBy is not null && !StoredNames.TryParse(groupBy, out grouping))
            return ApiErrorResult.Invalid("'group_by' must be one of: hour, day, model, customer, key, backend.", "group_by");
        var end = to ?? time.UtcNowStored();
        var start = from ?? end.AddDays(-30);
        if (start >= end) return ApiErrorResult.Invalid("'from' must be before 'to'.", "from");
        var rows = await usage.SummarizeAsync(new UsageFilter(customerId, keyId, model, backend, start, end), grouping, cancellationToken);
        return TypedResults.Ok(new UsageSummaryDto(StoredNames.Of(grouping), start, end, [.. rows.Select(r => new UsageSummaryRowDto(
            r.Group, r.Requests, r.InputTokens, r.CachedInputTokens, r.OutputTokens,
            Money.Format(r.ListAmount), Money.Format(r.ChargedAmount), Money.Format(r.CostToServe), r.CacheWriteTokens))]));
    }

    private static UsageEventDto ToDto(UsageEvent e) => new(
        e.RequestId, e.CustomerId, e.KeyId, e.ModelId, e.BackendId, e.PriceVersion,
        e.Tokens.InputTokens, e.Tokens.CachedInputTokens, e.Tokens.OutputTokens, e.Tokens.ReasoningTokens, e.Units,
        Money.Format(e.ListAmount), Money.Format(e.ChargedAmount), Money.Format(e.CostToServe),
        StoredNames.Of(e.Status), StoredNames.Of(e.Source), e.Streamed, e.LatencyMs, e.TimeToFirstTokenMs, e.StartedAt, e.CompletedAt,
        e.Tokens.CacheWriteTokens);
}
