namespace Tollgate.Limits;

/// <summary>
/// Per-minute request and token limits and a cap on requests in flight, for a key or a customer.
/// A null field is not limited. Stored as JSON.
/// </summary>
internal sealed record RateLimits(int? RequestsPerMinute = null, int? TokensPerMinute = null, int? Concurrency = null)
{
    public bool IsEmpty => RequestsPerMinute is null && TokensPerMinute is null && Concurrency is null;
}
