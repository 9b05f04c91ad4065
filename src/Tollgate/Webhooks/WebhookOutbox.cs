using System.Threading.Channels;

namespace Tollgate.Webhooks;

/// <summary>
/// Where features emit events: <see cref="Post"/> from the request path (never waits, never
/// touches storage), <see cref="PublishAsync"/> where the caller can wait. One writer stores
/// them in batches with their deliveries and wakes the dispatcher. Code that must commit an event
/// with its own change writes it in its transaction instead (<see cref="SqlWebhookStore.InsertEventAsync"/>).
/// </summary>
internal sealed partial class WebhookOutbox(IWebhookStore store, WebhookDispatcher dispatcher, TimeProvider time, ILogger<WebhookOutbox> logger) : BackgroundService
{
    private const int MaxBatch = 256;
    private const int MaxCommitAttempts = 5;

    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });

    /// <summary>An event to store, or none: a marker whose completion says everything queued before it is stored.</summary>
    private sealed record Pending(WebhookEvent? Event, TaskCompletionSource? Stored);

    /// <summary>Queues the event and returns at once; a failure to store it is logged.</summary>
    public void Post(WebhookEvent webhookEvent)
    {
        if (!_queue.Writer.TryWrite(new Pending(webhookEvent, null))) LogDropped(logger, webhookEvent.Id, webhookEvent.Type);
    }

    /// <summary>Completes when the event is stored (or was already, by its idempotency key).</summary>
    public Task PublishAsync(WebhookEvent webhookEvent, CancellationToken cancellationToken = default) => EnqueueAsync(webhookEvent, cancellationToken);

    /// <summary>Completes when everything queued so far is stored.</summary>
    public Task FlushAsync(CancellationToken cancellationToken = default) => EnqueueAsync(null, cancellationToken);

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // Accept nothing new, then let the loop store what is queued before it ends.
        _queue.Writer.TryComplete();
        await base.StopAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<Pending>(MaxBatch);
        // Ends only when the channel is completed and drained, so nothing accepted is dropped at shutdown.
        while (await _queue.Reader.WaitToReadAsync(CancellationToken.None))
        {
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var next)) batch.Add(next);
            await StoreAsync(batch);
            batch.Clear();
        }
    }

    private Task EnqueueAsync(WebhookEvent? webhookEvent, CancellationToken cancellationToken)
    {
        var pending = new Pending(webhookEvent, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        return _queue.Writer.TryWrite(pending)
            ? pending.Stored!.Task.WaitAsync(cancellationToken)
            : Task.FromException(new InvalidOperationException("The webhook outbox has stopped; the event cannot be stored."));
    }

    private async Task StoreAsync(List<Pending> batch)
    {
        List<WebhookEvent> events = [.. batch.Where(p => p.Event is not null).Select(p => p.Event!)];
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                if (events.Count > 0 && await store.AddEventsAsync(events, time.GetUtcNow()) > 0) dispatcher.Wake();
                foreach (var pending in batch) pending.Stored?.TrySetResult();
                return;
            }
            catch (Exception ex) when (attempt < MaxCommitAttempts)
            {
                LogStoreRetry(logger, ex, events.Count, attempt);
                await Task.Delay(TimeSpan.FromMilliseconds(100 * attempt));
            }
            catch (Exception ex)
            {
                foreach (var lost in events) LogLost(logger, ex, lost.Id, lost.Type);
                foreach (var pending in batch) pending.Stored?.TrySetException(ex);
                return;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Webhook event {EventId} ({EventType}) was posted after the outbox stopped and is dropped")]
    private static partial void LogDropped(ILogger logger, string eventId, string eventType);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Storing {Count} webhook events failed (attempt {Attempt}); retrying")]
    private static partial void LogStoreRetry(ILogger logger, Exception exception, int count, int attempt);

    [LoggerMessage(Level = LogLevel.Error, Message = "Webhook event {EventId} ({EventType}) could not be stored and is lost")]
    private static partial void LogLost(ILogger logger, Exception exception, string eventId, string eventType);
}
