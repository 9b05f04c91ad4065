using System.Collections.Concurrent;
using Tollgate.Catalog;
using Tollgate.LocalModels;

namespace Tollgate.Upstreams.Local;

/// <summary>
/// One bounded queue per in-process backend. Changing a backend's concurrency or queue length
/// starts a new queue; requests already admitted finish on the old one.
/// </summary>
internal sealed class LocalQueues
{
    private readonly ConcurrentDictionary<string, WorkQueue> _queues = new(StringComparer.Ordinal);

    public WorkQueue For(BackendEntry backend)
    {
        var settings = backend.Settings;
        return _queues.AddOrUpdate(
            backend.Id,
            _ => new WorkQueue(settings.Concurrency, settings.QueueLength),
            (_, queue) => queue.Concurrency == settings.Concurrency && queue.QueueLength == settings.QueueLength
                ? queue
                : new WorkQueue(settings.Concurrency, settings.QueueLength));
    }

    /// <summary>The failure a full queue answers with: the gateway turns it into 503 with retry-after.</summary>
    public static BackendFailure Full(WorkQueue queue) =>
        new(BackendFailureKind.Busy, $"queue full ({queue.Concurrency} running, {queue.QueueLength} waiting)", retryAfter: queue.RetryAfter);
}
