using Tollgate.Storage;

namespace Tollgate.Webhooks;

/// <summary>Endpoints, the event outbox, deliveries and their attempts. Endpoint changes are written with their audit entry.</summary>
internal interface IWebhookStore
{
    Task CreateEndpointAsync(WebhookEndpoint endpoint, AuditEntry audit, CancellationToken cancellationToken = default);

    /// <summary>Saves URL, events, description, enabled and secrets.</summary>
    Task UpdateEndpointAsync(WebhookEndpoint endpoint, AuditEntry audit, CancellationToken cancellationToken = default);

    /// <summary>Marks the endpoint deleted and fails its pending deliveries, in one transaction.</summary>
    Task DeleteEndpointAsync(string endpointId, DateTimeOffset at, AuditEntry audit, CancellationToken cancellationToken = default);

    /// <summary>Deleted endpoints too: their deliveries name them.</summary>
    Task<WebhookEndpoint?> GetEndpointAsync(string endpointId, CancellationToken cancellationToken = default);

    /// <summary>Endpoints not deleted, oldest first.</summary>
    Task<PageOf<WebhookEndpoint>> ListEndpointsAsync(Page page, CancellationToken cancellationToken = default);

    /// <summary>
    /// Stores each event whose idempotency key is new, with a pending delivery for every enabled
    /// endpoint subscribed to its type; events seen before are skipped. Returns the deliveries created.
    /// </summary>
    Task<int> AddEventsAsync(IReadOnlyList<WebhookEvent> events, DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>
    /// One new pending delivery of an event to one endpoint, whatever it subscribes to: a test
    /// event (stored first, <paramref name="newEvent"/>) or a redelivery of a stored one.
    /// </summary>
    Task AddDeliveryAsync(WebhookEvent? newEvent, WebhookDelivery delivery, AuditEntry audit, CancellationToken cancellationToken = default);

    /// <summary>Pending deliveries of enabled endpoints whose next attempt is due, earliest first.</summary>
    Task<IReadOnlyList<DueDelivery>> ListDueAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken = default);

    Task RecordAttemptAsync(AttemptOutcome outcome, CancellationToken cancellationToken = default);

    /// <summary>Newest first; those of the same instant latest stored first.</summary>
    Task<PageOf<WebhookDelivery>> ListDeliveriesAsync(DeliveryFilter filter, Page page, CancellationToken cancellationToken = default);

    Task<WebhookDelivery?> GetDeliveryAsync(string deliveryId, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<WebhookAttempt>> ListAttemptsAsync(string deliveryId, CancellationToken cancellationToken = default);

    /// <summary>Newest first; those of the same instant latest stored first.</summary>
    Task<PageOf<WebhookEvent>> ListEventsAsync(string? type, Page page, CancellationToken cancellationToken = default);

    Task<WebhookEvent?> GetEventAsync(string eventId, CancellationToken cancellationToken = default);
}
