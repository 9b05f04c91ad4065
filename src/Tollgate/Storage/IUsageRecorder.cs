namespace Tollgate.Storage;

/// <summary>Makes usage events durable, batching them into group commits.</summary>
internal interface IUsageRecorder
{
    /// <summary>Completes once the event is committed (or was already stored: duplicates are ignored).</summary>
    ValueTask<UsageCommit> RecordAsync(UsageEvent usage, CancellationToken cancellationToken = default);
}

/// <summary>
/// Where a usage event landed: <see cref="Position"/> is the committing transaction's id on a
/// database whose snapshots can tell whether it is included (PostgreSQL), null when the store has
/// no such order or the event was a duplicate that stored nothing.
/// </summary>
internal readonly record struct UsageCommit(string? Position);
