namespace Tollgate.Storage;

internal sealed record UsageFilter(
    string? CustomerId = null,
    string? KeyId = null,
    string? ModelId = null,
    string? BackendId = null,
    DateTimeOffset? From = null,
    DateTimeOffset? To = null,
    int Limit = 100,
    string? StartingAfter = null);

/// <summary>How usage totals are grouped. Names are part of the admin API.</summary>
internal enum UsageGrouping
{
    Hour,
    Day,
    Model,
    Customer,
    Key,
    Backend,
}

internal sealed record UsageTotals(string Group, long Requests, long InputTokens, long CachedInputTokens, long OutputTokens, decimal ListAmount, decimal ChargedAmount, decimal CostToServe,
    long CacheWriteTokens = 0);

/// <summary>Reads usage events back.</summary>
internal interface IUsageQueries
{
    /// <summary>Newest first; <see cref="UsageFilter.StartingAfter"/> is the request id the previous page ended with.</summary>
    Task<IReadOnlyList<UsageEvent>> ListAsync(UsageFilter filter, CancellationToken cancellationToken = default);

    /// <summary>Totals per group, amounts summed exactly in decimal.</summary>
    Task<IReadOnlyList<UsageTotals>> SummarizeAsync(UsageFilter filter, UsageGrouping grouping, CancellationToken cancellationToken = default);
}
