namespace Tollgate.Storage;

internal sealed record UsageFilter(
    string? CustomerId = null,
    string? KeyId = null,
    string? ModelId = null,
    string? BackendId = null,
    DateTimeOffset? From = null,
    DateTimeOffset? To = null,
    int Limit = 100);

/// <summary>Reads usage events back, newest first.</summary>
internal interface IUsageQueries
{
    Task<IReadOnlyList<UsageEvent>> ListAsync(UsageFilter filter, CancellationToken cancellationToken = default);
}
