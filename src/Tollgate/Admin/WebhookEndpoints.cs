using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Tollgate.Hosting;
using Tollgate.Security;
using Tollgate.Storage;
using Tollgate.Webhooks;

namespace Tollgate.Admin;

/// <summary>
/// Webhook endpoints (create — the signing secret is shown once —, list, read, update, delete,
/// rotate the secret, send a test event), their deliveries (list, read with every attempt,
/// redeliver) and the events behind them.
/// </summary>
internal static class WebhookEndpoints
{
    private const int MaxUrlLength = 2048;
    private const int MaxDescriptionLength = 500;
    private const int MaxGraceSeconds = 7 * 24 * 3600;

    public static void MapWebhooks(this RouteGroupBuilder admin)
    {
        var read = AdminScopes.Policy(AdminScopes.Read);
        var billing = AdminScopes.Policy(AdminScopes.Billing);
        admin.MapPost("/webhook-endpoints", CreateAsync).RequireAuthorization(billing).WithMetadata(ShowsSecretOnce.Instance);
        admin.MapGet("/webhook-endpoints", ListAsync).RequireAuthorization(read);
        admin.MapGet("/webhook-endpoints/{endpointId}", GetAsync).RequireAuthorization(read);
        admin.MapPatch("/webhook-endpoints/{endpointId}", UpdateAsync).RequireAuthorization(billing);
        admin.MapDelete("/webhook-endpoints/{endpointId}", DeleteAsync).RequireAuthorization(billing);
        admin.MapPost("/webhook-endpoints/{endpointId}/rotate-secret", RotateSecretAsync).RequireAuthorization(billing).WithMetadata(ShowsSecretOnce.Instance);
        admin.MapPost("/webhook-endpoints/{endpointId}/test", SendTestAsync).RequireAuthorization(billing);
        admin.MapGet("/webhook-deliveries", ListDeliveriesAsync).RequireAuthorization(read);
        admin.MapGet("/webhook-deliveries/{deliveryId}", GetDeliveryAsync).RequireAuthorization(read);
        admin.MapPost("/webhook-deliveries/{deliveryId}/redeliver", RedeliverAsync).RequireAuthorization(billing);
        admin.MapGet("/webhook-events", ListEventsAsync).RequireAuthorization(read);
        admin.MapGet("/webhook-events/{eventId}", GetEventAsync).RequireAuthorization(read);
    }

    private static async Task<Results<Created<CreatedWebhookEndpointDto>, ApiErrorResult>> CreateAsync(
        WebhookEndpointRequest? body, ClaimsPrincipal user, IWebhookStore store, IOptions<WebhookOptions> options, TimeProvider time,
        CancellationToken cancellationToken)
    {
        if (body?.Url is null) return ApiErrorResult.Invalid("'url' is required: the http or https URL to POST events to.", "url");
        if (body.Events is null) return ApiErrorResult.Invalid($"'events' is required: a list of event types ({Known()}), or [\"*\"] for all.", "events");
        if (Validate(body, options.Value) is { } invalid) return invalid;
        var now = time.UtcNowStored();
        var secret = SigningSecrets.Generate();
        var endpoint = new WebhookEndpoint(RandomText.Id("whe_"), body.Url, Description(body.Description, null), Events(body.Events), body.Enabled ?? true, secret, now);
        var dto = ToDto(endpoint);
        await store.CreateEndpointAsync(endpoint, user.Audit("webhook_endpoint.create", "webhook_endpoint", endpoint.Id, null, dto, AdminJson.Default.WebhookEndpointDto, now),
            cancellationToken);
        return TypedResults.Created($"{AdminEndpoints.Prefix}/webhook-endpoints/{endpoint.Id}", new CreatedWebhookEndpointDto(secret, dto));
    }

    private static async Task<Results<Ok<ListResponse<WebhookEndpointDto>>, ApiErrorResult>> ListAsync(
        IWebhookStore store, int? limit, [FromQuery(Name = "starting_after")] string? startingAfter, CancellationToken cancellationToken)
    {
        if (!Paging.TryRead(limit, startingAfter, out var page, out var error)) return error!;
        var endpoints = await store.ListEndpointsAsync(page, cancellationToken);
        return TypedResults.Ok(new ListResponse<WebhookEndpointDto>([.. endpoints.Items.Select(ToDto)], endpoints.HasMore));
    }

    private static async Task<Results<Ok<WebhookEndpointDto>, ApiErrorResult>> GetAsync(string endpointId, IWebhookStore store, CancellationToken cancellationToken) =>
        await FindAsync(store, endpointId, cancellationToken) is { } endpoint ? TypedResults.Ok(ToDto(endpoint)) : EndpointMissing(endpointId);

    private static async Task<Results<Ok<WebhookEndpointDto>, ApiErrorResult>> UpdateAsync(
        string endpointId, WebhookEndpointRequest? body, ClaimsPrincipal user, IWebhookStore store, IOptions<WebhookOptions> options, TimeProvider time,
        CancellationToken cancellationToken)
    {
        if (await FindAsync(store, endpointId, cancellationToken) is not { } endpoint) return EndpointMissing(endpointId);
        if (body is null) return ApiErrorResult.Invalid("A JSON body is required.", "body");
        if (Validate(body, options.Value) is { } invalid) return invalid;
        var updated = endpoint with
        {
            Url = body.Url ?? endpoint.Url,
            Events = body.Events is { } events ? Events(events) : endpoint.Events,
            Description = Description(body.Description, endpoint.Description),
            Enabled = body.Enabled ?? endpoint.Enabled,
        };
        var after = ToDto(updated);
        await store.UpdateEndpointAsync(updated,
            user.Audit("webhook_endpoint.update", "webhook_endpoint", endpointId, ToDto(endpoint), after, AdminJson.Default.WebhookEndpointDto, time.UtcNowStored()),
            cancellationToken);
        return TypedResults.Ok(after);
    }

    /// <summary>Its pending deliveries fail at once; its past deliveries stay readable.</summary>
    private static async Task<Results<Ok<WebhookEndpointDto>, ApiErrorResult>> DeleteAsync(
        string endpointId, ClaimsPrincipal user, IWebhookStore store, TimeProvider time, CancellationToken cancellationToken)
    {
        if (await FindAsync(store, endpointId, cancellationToken) is not { } endpoint) return EndpointMissing(endpointId);
        var now = time.UtcNowStored();
        var after = ToDto(endpoint with { DeletedAt = now });
        await store.DeleteEndpointAsync(endpointId, now,
            user.Audit("webhook_endpoint.delete", "webhook_endpoint", endpointId, ToDto(endpoint), after, AdminJson.Default.WebhookEndpointDto, now), cancellationToken);
        return TypedResults.Ok(after);
    }

    /// <summary>A new secret, shown once; the old one keeps signing beside it for the grace period, so receivers can switch without a gap.</summary>
    private static async Task<Results<Ok<CreatedWebhookEndpointDto>, ApiErrorResult>> RotateSecretAsync(
        string endpointId, RotateWebhookSecretRequest? body, ClaimsPrincipal user, IWebhookStore store, IOptions<WebhookOptions> options, TimeProvider time,
        CancellationToken cancellationToken)
    {
        if (await FindAsync(store, endpointId, cancellationToken) is not { } endpoint) return EndpointMissing(endpointId);
        if (body?.ExpirePreviousInSeconds is < 0 or > MaxGraceSeconds)
            return ApiErrorResult.Invalid($"'expire_previous_in_seconds' must be from 0 to {MaxGraceSeconds} (7 days).", "expire_previous_in_seconds");
        var now = time.UtcNowStored();
        var grace = body?.ExpirePreviousInSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : options.Value.SecretGracePeriod;
        var secret = SigningSecrets.Generate();
        var rotated = endpoint with
        {
            Secret = secret,
            PreviousSecret = grace > TimeSpan.Zero ? endpoint.Secret : null,
            PreviousSecretExpiresAt = grace > TimeSpan.Zero ? now + grace : null,
            SecretRotatedAt = now,
        };
        var after = ToDto(rotated);
        await store.UpdateEndpointAsync(rotated,
            user.Audit("webhook_endpoint.rotate_secret", "webhook_endpoint", endpointId, ToDto(endpoint), after, AdminJson.Default.WebhookEndpointDto, now), cancellationToken);
        return TypedResults.Ok(new CreatedWebhookEndpointDto(secret, after));
    }

    /// <summary>A <c>webhook.test</c> event to this endpoint alone, whatever it subscribes to.</summary>
    private static async Task<Results<Created<WebhookDeliveryDto>, ApiErrorResult>> SendTestAsync(
        string endpointId, ClaimsPrincipal user, IWebhookStore store, WebhookDispatcher dispatcher, TimeProvider time, CancellationToken cancellationToken)
    {
        if (await FindAsync(store, endpointId, cancellationToken) is not { } endpoint) return EndpointMissing(endpointId);
        if (!endpoint.Enabled) return ApiErrorResult.Invalid("The endpoint is disabled: enable it to send it events.", "endpoint");
        var now = time.UtcNowStored();
        var test = WebhookEvent.Create(WebhookEventTypes.Test, new TestEventData(endpointId, "A test event sent from the Tollgate admin API."),
            WebhookJson.Default.TestEventData, now);
        return await AddDeliveryAsync(store, dispatcher, test, test.Id, test.Type, endpoint, now,
            delivery => user.Audit("webhook_endpoint.test", "webhook_endpoint", endpointId, null, delivery, AdminJson.Default.WebhookDeliveryDto, now), cancellationToken);
    }

    private static async Task<Results<Ok<ListResponse<WebhookDeliveryDto>>, ApiErrorResult>> ListDeliveriesAsync(
        IWebhookStore store, [FromQuery(Name = "endpoint_id")] string? endpointId, [FromQuery(Name = "event_id")] string? eventId, string? status, int? limit,
        [FromQuery(Name = "starting_after")] string? startingAfter, CancellationToken cancellationToken)
    {
        if (!Paging.TryRead(limit, startingAfter, out var page, out var error)) return error!;
        WebhookDeliveryStatus? wanted = null;
        if (status is not null)
        {
            if (!StoredNames.TryParse<WebhookDeliveryStatus>(status, out var parsed))
                return ApiErrorResult.Invalid("'status' must be 'pending', 'succeeded' or 'failed'.", "status");
            wanted = parsed;
        }
        var deliveries = await store.ListDeliveriesAsync(new DeliveryFilter(endpointId, wanted, eventId), page, cancellationToken);
        return TypedResults.Ok(new ListResponse<WebhookDeliveryDto>([.. deliveries.Items.Select(d => ToDto(d, null))], deliveries.HasMore));
    }

    private static async Task<Results<Ok<WebhookDeliveryDto>, ApiErrorResult>> GetDeliveryAsync(
        string deliveryId, IWebhookStore store, CancellationToken cancellationToken)
    {
        if (await store.GetDeliveryAsync(deliveryId, cancellationToken) is not { } delivery) return ApiErrorResult.NotFound("webhook delivery", deliveryId);
        return TypedResults.Ok(ToDto(delivery, await store.ListAttemptsAsync(deliveryId, cancellationToken)));
    }

    /// <summary>The same event (same id and body) to the same endpoint once more, as a new delivery with its own attempts.</summary>
    private static async Task<Results<Created<WebhookDeliveryDto>, ApiErrorResult>> RedeliverAsync(
        string deliveryId, ClaimsPrincipal user, IWebhookStore store, WebhookDispatcher dispatcher, TimeProvider time, CancellationToken cancellationToken)
    {
        if (await store.GetDeliveryAsync(deliveryId, cancellationToken) is not { } original) return ApiErrorResult.NotFound("webhook delivery", deliveryId);
        if (await FindAsync(store, original.EndpointId, cancellationToken) is not { } endpoint)
            return ApiErrorResult.Invalid($"The endpoint '{original.EndpointId}' was deleted.", "delivery");
        if (!endpoint.Enabled) return ApiErrorResult.Invalid("The endpoint is disabled: enable it to send it events.", "delivery");
        var now = time.UtcNowStored();
        return await AddDeliveryAsync(store, dispatcher, null, original.EventId, original.EventType, endpoint, now,
            delivery => user.Audit("webhook_delivery.redeliver", "webhook_delivery", deliveryId, ToDto(original, null), delivery, AdminJson.Default.WebhookDeliveryDto, now),
            cancellationToken);
    }

    private static async Task<Results<Ok<ListResponse<WebhookEventDto>>, ApiErrorResult>> ListEventsAsync(
        IWebhookStore store, string? type, int? limit, [FromQuery(Name = "starting_after")] string? startingAfter, CancellationToken cancellationToken)
    {
        if (!Paging.TryRead(limit, startingAfter, out var page, out var error)) return error!;
        var events = await store.ListEventsAsync(type, page, cancellationToken);
        return TypedResults.Ok(new ListResponse<WebhookEventDto>([.. events.Items.Select(ToDto)], events.HasMore));
    }

    private static async Task<Results<Ok<WebhookEventDto>, ApiErrorResult>> GetEventAsync(string eventId, IWebhookStore store, CancellationToken cancellationToken) =>
        await store.GetEventAsync(eventId, cancellationToken) is { } found ? TypedResults.Ok(ToDto(found)) : ApiErrorResult.NotFound("webhook event", eventId);

    /// <summary>Stores a new pending delivery with its audit entry, then wakes the dispatcher to send it.</summary>
    private static async Task<Results<Created<WebhookDeliveryDto>, ApiErrorResult>> AddDeliveryAsync(
        IWebhookStore store, WebhookDispatcher dispatcher, WebhookEvent? newEvent, string eventId, string eventType, WebhookEndpoint endpoint, DateTimeOffset now,
        Func<WebhookDeliveryDto, AuditEntry> audit, CancellationToken cancellationToken)
    {
        var delivery = new WebhookDelivery(WebhookDelivery.NewId(), endpoint.Id, eventId, eventType, WebhookDeliveryStatus.Pending, 0, now, null, null, null, now);
        var dto = ToDto(delivery, null);
        await store.AddDeliveryAsync(newEvent, delivery, audit(dto), cancellationToken);
        dispatcher.Wake();
        return TypedResults.Created($"{AdminEndpoints.Prefix}/webhook-deliveries/{delivery.Id}", dto);
    }

    private static ApiErrorResult? Validate(WebhookEndpointRequest body, WebhookOptions options)
    {
        if (body.Url is { } url && (url.Length > MaxUrlLength || !Uri.TryCreate(url, UriKind.Absolute, out var uri)
            || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp) || !string.IsNullOrEmpty(uri.Fragment)))
            return ApiErrorResult.Invalid($"'url' must be an absolute http or https URL without a fragment, at most {MaxUrlLength} characters.", "url");
        if (body.Url is { } target && !new WebhookTargets(options.AllowedInternalHosts).MayRegister(new Uri(target)))
        {
            return ApiErrorResult.Invalid("'url' points at an internal address (loopback, private, link-local, unique-local or metadata), which webhooks " +
                "may not reach; an operator can allowlist a receiver of their own under Webhooks:AllowedInternalHosts.", "url");
        }
        if (body.Events is { } events
            && (events.Length == 0 || events.Any(e => e != WebhookEventTypes.All && !WebhookEventTypes.Subscribable.Contains(e))))
            return ApiErrorResult.Invalid($"'events' must list event types ({Known()}), or be [\"*\"] for all.", "events");
        if (body.Description is { Length: > MaxDescriptionLength })
            return ApiErrorResult.Invalid($"'description' must be at most {MaxDescriptionLength} characters.", "description");
        return null;
    }

    private static string Known() => string.Join(", ", WebhookEventTypes.Subscribable);

    private static string[] Events(string[] events) => [.. events.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];

    private static string? Description(string? given, string? current) => given is null ? current : given.Trim() is { Length: > 0 } trimmed ? trimmed : null;

    /// <summary>A deleted endpoint is gone for the API, though its deliveries still name it.</summary>
    private static async Task<WebhookEndpoint?> FindAsync(IWebhookStore store, string endpointId, CancellationToken cancellationToken) =>
        await store.GetEndpointAsync(endpointId, cancellationToken) is { DeletedAt: null } endpoint ? endpoint : null;

    private static ApiErrorResult EndpointMissing(string endpointId) => ApiErrorResult.NotFound("webhook endpoint", endpointId);

    private static WebhookEndpointDto ToDto(WebhookEndpoint e) =>
        new(e.Id, e.Url, e.Description, [.. e.Events], e.Enabled, e.CreatedAt, e.SecretRotatedAt, e.PreviousSecretExpiresAt, e.DeletedAt);

    private static WebhookDeliveryDto ToDto(WebhookDelivery d, IReadOnlyList<WebhookAttempt>? attempts) =>
        new(d.Id, d.EndpointId, d.EventId, d.EventType, StoredNames.Of(d.Status), d.Attempts, d.LastStatusCode, d.LastError, d.NextAttemptAt, d.DeliveredAt, d.CreatedAt,
            attempts?.Select(a => new WebhookAttemptDto(a.Attempt, a.At, a.StatusCode, a.Error, a.DurationMs)).ToArray());

    private static WebhookEventDto ToDto(WebhookEvent e)
    {
        using var payload = JsonDocument.Parse(e.Payload);
        return new WebhookEventDto(e.Id, e.Type, e.CreatedAt, payload.RootElement.Clone());
    }
}
