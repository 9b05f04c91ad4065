namespace Tollgate.Storage;

/// <summary>
/// One admin change: who (the admin token's id), what, on which target, the target's state
/// before and after (JSON, never a secret), and when. Written in the same transaction as the change.
/// </summary>
internal sealed record AuditEntry(string Actor, string Action, string TargetType, string TargetId, string? Before, string? After, DateTimeOffset At)
{
    public long Id { get; init; }
}
