using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Tollgate.Tests.Admin;
using Tollgate.Tests.Infrastructure;
using Tollgate.Webhooks;

namespace Tollgate.Tests.Webhooks;

/// <summary>
/// Deliveries to a real loopback receiver on a fake clock: signed so the receiver can verify them
/// (with the old secret too while a rotation's grace lasts), retried with exponential backoff,
/// given up after the last attempt, redelivered on request, and every attempt visible.
/// </summary>
public sealed class WebhookDeliveryTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 10, 12, 0, 0, TimeSpan.Zero));
    private readonly TollgateFactory _app;
    private WebhookReceiver _receiver = null!;

    public WebhookDeliveryTests() => _app = new TollgateFactory(_time, demo: false);

    public async Task InitializeAsync() => _receiver = await WebhookReceiver.StartAsync();

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    [Fact]
    public async Task SendTest_Receiver_GetsEnvelopeSignedWithTheSecret()
    {
        using var admin = _app.AdminClient();
        var (endpointId, secret) = await admin.CreateEndpointAsync(_receiver.Url(), WebhookEventTypes.BudgetThreshold);

        var deliveryId = await _app.SendTestAsync(admin, endpointId);

        var received = Assert.Single(_receiver.Received);
        Assert.StartsWith("whsec_", secret);
        Assert.True(WebhookSignature.Verify(received.Signature, received.Body, secret, _time.GetUtcNow()), received.Signature);
        Assert.False(WebhookSignature.Verify(received.Signature, received.Body, "whsec_wrong", _time.GetUtcNow()));
        Assert.False(WebhookSignature.Verify(received.Signature, received.Body + " ", secret, _time.GetUtcNow()));
        Assert.StartsWith($"t={_time.GetUtcNow().ToUnixTimeSeconds()},v1=", received.Signature);
        var payload = received.Json;
        Assert.Equal(WebhookEventTypes.Test, payload["type"].Text());
        Assert.Equal(received.EventId, payload["id"].Text());
        Assert.Equal(endpointId, payload["data"]!["endpoint_id"].Text());
        Assert.Equal(_time.GetUtcNow(), DateTimeOffset.Parse(payload["created"].Text(), System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(deliveryId, received.DeliveryId);
        var delivery = await admin.DeliveryAsync(deliveryId);
        Assert.Equal("succeeded", delivery["status"].Text());
        Assert.Equal(200, delivery["last_status_code"]!.GetValue<int>());
        Assert.NotNull(delivery["delivered_at"]);
    }

    [Fact]
    public async Task RotateSecret_DuringGrace_SignsWithBothSecrets_AfterGraceOnlyTheNewOne()
    {
        using var admin = _app.AdminClient();
        var (endpointId, oldSecret) = await admin.CreateEndpointAsync(_receiver.Url(), "*");

        var rotated = await admin.SendAsync(HttpMethod.Post, $"/admin/v1/webhook-endpoints/{endpointId}/rotate-secret", """{"expire_previous_in_seconds":3600}""");
        var newSecret = rotated["secret"].Text();
        await _app.SendTestAsync(admin, endpointId);
        _time.Advance(TimeSpan.FromHours(1));
        await _app.SendTestAsync(admin, endpointId);

        Assert.NotEqual(oldSecret, newSecret);
        Assert.Equal(_time.GetUtcNow(), DateTimeOffset.Parse(rotated["webhook_endpoint"]!["previous_secret_expires_at"].Text(), System.Globalization.CultureInfo.InvariantCulture));
        var (inGrace, afterGrace) = (_receiver.Received[0], _receiver.Received[1]);
        Assert.Equal(2, inGrace.Signature!.Split(",v1=").Length - 1);
        Assert.True(WebhookSignature.Verify(inGrace.Signature, inGrace.Body, newSecret, _time.GetUtcNow() - TimeSpan.FromHours(1)));
        Assert.True(WebhookSignature.Verify(inGrace.Signature, inGrace.Body, oldSecret, _time.GetUtcNow() - TimeSpan.FromHours(1)));
        Assert.True(WebhookSignature.Verify(afterGrace.Signature, afterGrace.Body, newSecret, _time.GetUtcNow()));
        Assert.False(WebhookSignature.Verify(afterGrace.Signature, afterGrace.Body, oldSecret, _time.GetUtcNow()));
    }

    [Fact]
    public async Task FailingReceiver_RetriedWithExponentialBackoff_ThenSucceeds()
    {
        using var admin = _app.AdminClient();
        var (endpointId, secret) = await admin.CreateEndpointAsync(_receiver.Url(), "*");
        _receiver.AnswerNext(500, 503);
        var sentAt = _time.GetUtcNow();

        var deliveryId = await _app.SendTestAsync(admin, endpointId);
        var afterFirst = await admin.DeliveryAsync(deliveryId);
        _time.Advance(TimeSpan.FromSeconds(29));
        await _app.DeliverDueAsync();
        var notYetDue = _receiver.Received.Count;
        _time.Advance(TimeSpan.FromSeconds(1));
        await _app.DeliverDueAsync();
        var afterSecond = await admin.DeliveryAsync(deliveryId);
        _time.Advance(TimeSpan.FromSeconds(60));
        await _app.DeliverDueAsync();
        var delivered = await admin.DeliveryAsync(deliveryId);

        Assert.Equal(("pending", 1, 500), (afterFirst["status"].Text(), afterFirst["attempts"]!.GetValue<int>(), afterFirst["last_status_code"]!.GetValue<int>()));
        Assert.Equal(sentAt.AddSeconds(30), afterFirst["next_attempt_at"]!.GetValue<DateTimeOffset>());
        Assert.Equal(1, notYetDue);
        Assert.Equal(("pending", 2, 503), (afterSecond["status"].Text(), afterSecond["attempts"]!.GetValue<int>(), afterSecond["last_status_code"]!.GetValue<int>()));
        Assert.Equal(sentAt.AddSeconds(30 + 60), afterSecond["next_attempt_at"]!.GetValue<DateTimeOffset>());
        Assert.Equal("succeeded", delivered["status"].Text());
        Assert.Equal(sentAt.AddSeconds(90), delivered["delivered_at"]!.GetValue<DateTimeOffset>());
        Assert.Null(delivered["next_attempt_at"]);
        var log = delivered["attempt_log"]!.AsArray();
        Assert.Equal([500, 503, 200], log.Select(a => a!["status_code"]!.GetValue<int>()));
        Assert.Equal([sentAt, sentAt.AddSeconds(30), sentAt.AddSeconds(90)], log.Select(a => a!["at"]!.GetValue<DateTimeOffset>()));
        Assert.Equal("The endpoint answered 500.", log[0]!["error"].Text());
        // Every attempt sends the same event, signed afresh at its own time.
        Assert.Equal(3, _receiver.Received.Count);
        Assert.Single(_receiver.Received.Select(r => r.Body).Distinct());
        Assert.All(_receiver.Received.Zip(log), pair => Assert.True(
            WebhookSignature.Verify(pair.First.Signature, pair.First.Body, secret, pair.Second!["at"]!.GetValue<DateTimeOffset>(), TimeSpan.Zero)));
    }

    [Fact]
    public async Task AlwaysFailing_GivesUpAfterMaxAttempts_ThenRedeliverSucceeds()
    {
        var options = _app.Services.GetRequiredService<IOptions<WebhookOptions>>().Value;
        using var admin = _app.AdminClient();
        var (endpointId, _) = await admin.CreateEndpointAsync(_receiver.Url(), "*");
        _receiver.DefaultStatus = 500;

        var deliveryId = await _app.SendTestAsync(admin, endpointId);
        for (var attempt = 1; attempt < options.MaxAttempts; attempt++)
        {
            _time.Advance(options.RetryDelay(attempt));
            await _app.DeliverDueAsync();
        }
        _time.Advance(options.MaxRetryDelay);
        await _app.DeliverDueAsync();
        var failed = await admin.DeliveryAsync(deliveryId);
        _receiver.DefaultStatus = 200;
        var redelivery = await admin.PostJsonAsync($"/admin/v1/webhook-deliveries/{deliveryId}/redeliver", "{}");
        await _app.DeliverDueAsync();

        Assert.Equal(("failed", options.MaxAttempts), (failed["status"].Text(), failed["attempts"]!.GetValue<int>()));
        Assert.Null(failed["next_attempt_at"]);
        Assert.Equal(options.MaxAttempts + 1, _receiver.Received.Count);
        Assert.Equal(TimeSpan.FromHours(6), options.RetryDelay(options.MaxAttempts - 1));
        var redelivered = await admin.DeliveryAsync(redelivery.Id());
        Assert.Equal(("succeeded", 1), (redelivered["status"].Text(), redelivered["attempts"]!.GetValue<int>()));
        Assert.Equal(failed["event_id"].Text(), redelivered["event_id"].Text());
        Assert.Equal(_receiver.Received[0].Body, _receiver.Received[^1].Body);
        Assert.Equal("failed", (await admin.DeliveryAsync(deliveryId))["status"].Text());
    }

    [Fact]
    public async Task UnreachableEndpoint_AttemptRecordsErrorWithoutStatus()
    {
        using var admin = _app.AdminClient();
        var closed = StubUpstream.ClosedBaseUrl();
        var (endpointId, _) = await admin.CreateEndpointAsync(closed, "*");

        var delivery = await admin.DeliveryAsync(await _app.SendTestAsync(admin, endpointId));

        Assert.Equal("pending", delivery["status"].Text());
        Assert.Null(delivery["last_status_code"]);
        Assert.Equal("The request failed: the connection could not be made.", delivery["last_error"].Text());
    }

    [Fact]
    public async Task PublishedEvents_OnlySubscribedEndpointsGetThem_AndAnIdempotencyKeyStoresOnce()
    {
        using var admin = _app.AdminClient();
        var (budgets, _) = await admin.CreateEndpointAsync(_receiver.Url("budgets"), WebhookEventTypes.BudgetThreshold);
        var (everything, _) = await admin.CreateEndpointAsync(_receiver.Url("all"), "*");
        var (invoices, _) = await admin.CreateEndpointAsync(_receiver.Url("invoices"), WebhookEventTypes.InvoiceFinalized);
        var outbox = _app.Services.GetRequiredService<WebhookOutbox>();
        var data = new TestEventData("-", "published twice");

        await outbox.PublishAsync(WebhookEvent.Create(WebhookEventTypes.BudgetThreshold, data, WebhookJson.Default.TestEventData, _time.GetUtcNow(), "same-key"));
        await outbox.PublishAsync(WebhookEvent.Create(WebhookEventTypes.BudgetThreshold, data, WebhookJson.Default.TestEventData, _time.GetUtcNow(), "same-key"));
        await _app.DeliverDueAsync();

        var events = await admin.GetJsonAsync($"/admin/v1/webhook-events?type={WebhookEventTypes.BudgetThreshold}");
        Assert.Single(events.Data());
        Assert.Equal(["/all", "/budgets"], _receiver.Received.Select(r => r.Path).Order(StringComparer.Ordinal));
        Assert.Single((await admin.GetJsonAsync($"/admin/v1/webhook-deliveries?endpoint_id={budgets}")).Data());
        Assert.Single((await admin.GetJsonAsync($"/admin/v1/webhook-deliveries?endpoint_id={everything}")).Data());
        Assert.Empty((await admin.GetJsonAsync($"/admin/v1/webhook-deliveries?endpoint_id={invoices}")).Data());
    }

    [Fact]
    public async Task Deliveries_ListedByEndpointAndStatus_NewestFirst()
    {
        using var admin = _app.AdminClient();
        var (ok, _) = await admin.CreateEndpointAsync(_receiver.Url("ok"), "*");
        var (failing, _) = await admin.CreateEndpointAsync(StubUpstream.ClosedBaseUrl(), "*");

        var first = await _app.SendTestAsync(admin, ok);
        _time.Advance(TimeSpan.FromSeconds(1));
        var second = await _app.SendTestAsync(admin, ok);
        var pending = await _app.SendTestAsync(admin, failing);

        var okDeliveries = (await admin.GetJsonAsync($"/admin/v1/webhook-deliveries?endpoint_id={ok}")).Data();
        Assert.Equal([second, first], okDeliveries.Select(d => d!["id"].Text()));
        Assert.All(okDeliveries, d => Assert.Equal(WebhookEventTypes.Test, d!["event_type"].Text()));
        var pendingList = (await admin.GetJsonAsync("/admin/v1/webhook-deliveries?status=pending")).Data();
        Assert.Equal([pending], pendingList.Select(d => d!["id"].Text()));
        Assert.Equal(2, (await admin.GetJsonAsync("/admin/v1/webhook-deliveries?status=succeeded")).Data().Count);
        var page = await admin.GetJsonAsync("/admin/v1/webhook-deliveries?limit=2");
        Assert.True(page["has_more"]!.GetValue<bool>());
        var rest = await admin.GetJsonAsync($"/admin/v1/webhook-deliveries?limit=2&starting_after={page.Data()[1]!["id"].Text()}");
        Assert.Equal([first], rest.Data().Select(d => d!["id"].Text()));
        Assert.Equal(HttpStatusCode.BadRequest, await admin.StatusOfAsync(HttpMethod.Get, "/admin/v1/webhook-deliveries?status=lost"));
    }

    [Fact]
    public async Task DeleteEndpoint_PendingDeliveriesFail_AndNoMoreAreSent()
    {
        using var admin = _app.AdminClient();
        var (endpointId, _) = await admin.CreateEndpointAsync(_receiver.Url(), "*");
        _receiver.DefaultStatus = 500;
        var deliveryId = await _app.SendTestAsync(admin, endpointId);

        await admin.SendAsync(HttpMethod.Delete, $"/admin/v1/webhook-endpoints/{endpointId}");
        _time.Advance(TimeSpan.FromMinutes(5));
        await _app.DeliverDueAsync();

        var delivery = await admin.DeliveryAsync(deliveryId);
        Assert.Equal(("failed", "The endpoint was deleted."), (delivery["status"].Text(), delivery["last_error"].Text()));
        Assert.Single(_receiver.Received);
        Assert.Equal(HttpStatusCode.NotFound, await admin.StatusOfAsync(HttpMethod.Get, $"/admin/v1/webhook-endpoints/{endpointId}"));
        Assert.Empty((await admin.GetJsonAsync("/admin/v1/webhook-endpoints")).Data());
        Assert.Equal(HttpStatusCode.BadRequest, await admin.StatusOfAsync(HttpMethod.Post, $"/admin/v1/webhook-deliveries/{deliveryId}/redeliver", "{}"));
    }

    [Fact]
    public async Task DisabledEndpoint_GetsNoEvents_UntilEnabled()
    {
        using var admin = _app.AdminClient();
        var (endpointId, _) = await admin.CreateEndpointAsync(_receiver.Url(), "*");
        var outbox = _app.Services.GetRequiredService<WebhookOutbox>();

        await admin.SendAsync(HttpMethod.Patch, $"/admin/v1/webhook-endpoints/{endpointId}", """{"enabled":false}""");
        await outbox.PublishAsync(WebhookEvent.Create(WebhookEventTypes.FlagRaised, new TestEventData("-", "while disabled"), WebhookJson.Default.TestEventData, _time.GetUtcNow()));
        var testWhileDisabled = await admin.StatusOfAsync(HttpMethod.Post, $"/admin/v1/webhook-endpoints/{endpointId}/test", "{}");
        await admin.SendAsync(HttpMethod.Patch, $"/admin/v1/webhook-endpoints/{endpointId}", """{"enabled":true}""");
        await outbox.PublishAsync(WebhookEvent.Create(WebhookEventTypes.FlagRaised, new TestEventData("-", "enabled"), WebhookJson.Default.TestEventData, _time.GetUtcNow()));
        await _app.DeliverDueAsync();

        Assert.Equal(HttpStatusCode.BadRequest, testWhileDisabled);
        var received = Assert.Single(_receiver.Received);
        Assert.Equal("enabled", received.Json["data"]!["message"].Text());
    }

    [Fact]
    public void StoredDeliveryStatuses_AreFrozen() =>
        Assert.Equal(["pending", "succeeded", "failed"], Enum.GetValues<WebhookDeliveryStatus>().Select(Tollgate.Storage.StoredNames.Of));
}
