namespace Tollgate.Distillation;

/// <summary>Where a flag stands in the review queue. Stored by name.</summary>
internal enum FlagStatus
{
    Open,
    Acknowledged,
    Dismissed,
    Throttled,
    Suspended,
}

/// <summary>A day of a customer's traffic on a gated model that scored as harvesting, with its evidence (signal values, no text).</summary>
internal sealed record DistillationFlag(
    string Id, string CustomerId, string ModelId, DateOnly Day, double Score, DistillationSignals Evidence, FlagStatus Status, string? Note,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>What the operator decided for a customer on a gated model: a requests-per-minute throttle, or suspension.</summary>
internal sealed record GateRestriction(string CustomerId, string ModelId, FlagStatus Kind, int? RequestsPerMinute, string? FlagId, DateTimeOffset CreatedAt);
