using Microsoft.Extensions.Options;

namespace Tollgate.Webhooks;

/// <summary>
/// Sends deliveries that came due: signed at send time, several at once up to the configured
/// limit, each retried with exponential backoff until a 2xx or the last attempt. New events wake
/// it at once; otherwise it looks every poll interval. Passes never overlap, so a delivery is
/// attempted once per pass. At least once: a receiver dedupes by event id.
/// </summary>
internal sealed partial class WebhookDispatcher : BackgroundService
{
    private const int BatchSize = 100;

    private readonly IWebhookStore _store;
    private readonly WebhookOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<WebhookDispatcher> _logger;
    private readonly WebhookSender _sender;
    private readonly Hosting.ILeadership _leadership;
    private readonly SemaphoreSlim _pass = new(1, 1);
    private readonly SemaphoreSlim _wake = new(0, 1);

    public WebhookDispatcher(IWebhookStore store, IOptions<WebhookOptions> options, TimeProvider time, ILogger<WebhookDispatcher> logger,
        Hosting.ILeadership leadership)
    {
        _leadership = leadership;
        _store = store;
        _options = options.Value;
        _time = time;
        _logger = logger;
        _sender = new WebhookSender(_options.Timeout, new WebhookTargets(_options.AllowedInternalHosts));
    }

    /// <summary>Deliveries were added: look now rather than at the next poll.</summary>
    public void Wake()
    {
        try
        {
            _wake.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already woken.
        }
    }

    /// <summary>Attempts every delivery due now; the background loop and tests call the same thing. Returns how many were attempted.</summary>
    public async Task<int> DeliverDueAsync(CancellationToken cancellationToken)
    {
        await _pass.WaitAsync(cancellationToken);
        try
        {
            var attempted = 0;
            IReadOnlyList<DueDelivery> due;
            do
            {
                due = await _store.ListDueAsync(_time.GetUtcNow(), BatchSize, cancellationToken);
                await Parallel.ForEachAsync(due, new ParallelOptions { MaxDegreeOfParallelism = _options.MaxConcurrency, CancellationToken = cancellationToken },
                    AttemptAsync);
                attempted += due.Count;
            }
            while (due.Count == BatchSize);
            return attempted;
        }
        finally
        {
            _pass.Release();
        }
    }

    public override void Dispose()
    {
        base.Dispose();
        _sender.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                // One node of a cluster delivers, so an endpoint is not sent each delivery once per node.
                if (_leadership.IsLeader) await DeliverDueAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogPassFailed(_logger, ex);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            await WaitAsync(stoppingToken);
        }
    }

    /// <summary>Until woken, the poll interval passes on the clock, or the host stops.</summary>
    private async Task WaitAsync(CancellationToken stoppingToken)
    {
        using var poll = new CancellationTokenSource(_options.PollInterval, _time);
        using var either = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, poll.Token);
        try
        {
            await _wake.WaitAsync(either.Token);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async ValueTask AttemptAsync(DueDelivery delivery, CancellationToken cancellationToken)
    {
        var sentAt = _time.GetUtcNow();
        var started = _time.GetTimestamp();
        var (statusCode, error) = await _sender.SendAsync(delivery, WebhookSignature.Create(delivery.Payload, sentAt, delivery.Secrets), cancellationToken);
        var durationMs = (int)Math.Min(_time.GetElapsedTime(started).TotalMilliseconds, int.MaxValue);
        var attempt = delivery.Attempts + 1;
        var now = _time.GetUtcNow();
        var (status, next) = error is null ? (WebhookDeliveryStatus.Succeeded, (DateTimeOffset?)null)
            : attempt >= _options.MaxAttempts ? (WebhookDeliveryStatus.Failed, null)
            : (WebhookDeliveryStatus.Pending, now + _options.RetryDelay(attempt));
        // Recorded even if the host is stopping: the attempt happened.
        await _store.RecordAttemptAsync(new AttemptOutcome(delivery.Id, new WebhookAttempt(attempt, sentAt, statusCode, error, durationMs), status, next),
            CancellationToken.None);
        switch (status)
        {
            case WebhookDeliveryStatus.Succeeded:
                LogDelivered(_logger, delivery.Id, delivery.EventType, delivery.EndpointId, attempt);
                break;
            case WebhookDeliveryStatus.Pending:
                LogRetrying(_logger, delivery.Id, delivery.EventType, delivery.EndpointId, attempt, error!, next!.Value);
                break;
            default:
                LogGaveUp(_logger, delivery.Id, delivery.EventType, delivery.EndpointId, attempt, error!);
                break;
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Webhook delivery {DeliveryId} ({EventType}) reached endpoint {EndpointId} on attempt {Attempt}")]
    private static partial void LogDelivered(ILogger logger, string deliveryId, string eventType, string endpointId, int attempt);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Webhook delivery {DeliveryId} ({EventType}) to endpoint {EndpointId} failed on attempt {Attempt}: {Error} Next attempt at {NextAttemptAt:O}")]
    private static partial void LogRetrying(ILogger logger, string deliveryId, string eventType, string endpointId, int attempt, string error, DateTimeOffset nextAttemptAt);

    [LoggerMessage(Level = LogLevel.Error, Message = "Webhook delivery {DeliveryId} ({EventType}) to endpoint {EndpointId} failed after {Attempt} attempts: {Error} Giving up")]
    private static partial void LogGaveUp(ILogger logger, string deliveryId, string eventType, string endpointId, int attempt, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "A webhook delivery pass failed; retrying at the next poll")]
    private static partial void LogPassFailed(ILogger logger, Exception exception);
}
