using Tollgate.Billing.Pricing;

namespace Tollgate.Storage;

/// <summary>
/// One request's metered usage: the unit of billing. <see cref="RequestId"/> is its
/// idempotency key, so storing it twice stores it once.
/// </summary>
internal sealed record UsageEvent
{
    public required string RequestId { get; init; }
    public required string CustomerId { get; init; }
    public required string KeyId { get; init; }
    public required string ModelId { get; init; }
    public required string? BackendId { get; init; }
    public required long? PriceVersion { get; init; }
    public required TokenUsage Tokens { get; init; }
    public long Units { get; init; }
    public required decimal ListAmount { get; init; }
    public required decimal ChargedAmount { get; init; }
    public required decimal CostToServe { get; init; }
    public required UsageStatus Status { get; init; }
    public required UsageSource Source { get; init; }
    public required bool Streamed { get; init; }
    public required int LatencyMs { get; init; }
    public int? TimeToFirstTokenMs { get; init; }
    public required DateTimeOffset StartedAt { get; init; }
    public required DateTimeOffset CompletedAt { get; init; }
}
