namespace Tollgate.Storage;

/// <summary>Makes usage events durable, batching them into group commits.</summary>
internal interface IUsageRecorder
{
    /// <summary>Completes once the event is committed (or was already stored: duplicates are ignored).</summary>
    ValueTask RecordAsync(UsageEvent usage, CancellationToken cancellationToken = default);
}
