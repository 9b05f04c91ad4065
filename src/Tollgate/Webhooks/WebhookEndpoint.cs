using Tollgate.Security;

namespace Tollgate.Webhooks;

/// <summary>
/// A registered receiver: its URL, the event types it wants, and its signing secret. After a
/// rotation the previous secret keeps signing beside the new one until it expires, so a receiver
/// can switch secrets without refusing a delivery. Deleted endpoints are kept, so their deliveries stay readable.
/// </summary>
internal sealed record WebhookEndpoint(string Id, string Url, string? Description, IReadOnlyList<string> Events, bool Enabled, string Secret, DateTimeOffset CreatedAt)
{
    public string? PreviousSecret { get; init; }

    public DateTimeOffset? PreviousSecretExpiresAt { get; init; }

    public DateTimeOffset? SecretRotatedAt { get; init; }

    public DateTimeOffset? DeletedAt { get; init; }
}

/// <summary>Stored as text; names frozen by a test.</summary>
internal enum WebhookDeliveryStatus
{
    /// <summary>Not yet delivered; attempted at its next attempt time.</summary>
    Pending,
    Succeeded,

    /// <summary>Gave up after the last attempt, or the endpoint was deleted.</summary>
    Failed,
}

/// <summary>One event on its way to one endpoint; attempts are retried with backoff until one gets a 2xx.</summary>
internal sealed record WebhookDelivery(
    string Id,
    string EndpointId,
    string EventId,
    string EventType,
    WebhookDeliveryStatus Status,
    int Attempts,
    DateTimeOffset? NextAttemptAt,
    int? LastStatusCode,
    string? LastError,
    DateTimeOffset? DeliveredAt,
    DateTimeOffset CreatedAt)
{
    public static string NewId() => RandomText.Id("whd_", 24);
}

/// <summary>What one attempt got: an HTTP status, or an error when there was no answer.</summary>
internal sealed record WebhookAttempt(int Attempt, DateTimeOffset At, int? StatusCode, string? Error, int DurationMs);

/// <summary>A delivery that came due, with all that sending it needs.</summary>
internal sealed record DueDelivery(string Id, string EndpointId, string EventId, string EventType, int Attempts, string Payload, string Url, IReadOnlyList<string> Secrets);

/// <summary>An attempt and the state its delivery moves to.</summary>
internal sealed record AttemptOutcome(string DeliveryId, WebhookAttempt Attempt, WebhookDeliveryStatus Status, DateTimeOffset? NextAttemptAt);

internal sealed record DeliveryFilter(string? EndpointId = null, WebhookDeliveryStatus? Status = null, string? EventId = null);
