using System.Net;
using Tollgate.Tests.Admin;
using Tollgate.Tests.Infrastructure;
using Tollgate.Tests.Webhooks;
using Tollgate.Webhooks;
using static Tollgate.Tests.Infrastructure.TollgateCalls;

namespace Tollgate.Tests.Storage;

/// <summary>
/// A storage fault on a control-plane write (an admin grant, a new customer, an invoice run) stops the
/// line as a failed usage commit does: the caller gets 503 <c>storage_unavailable</c> in the error
/// shape, readiness fails and new requests are refused before forwarding, until a write succeeds.
/// A failure that is about the statement (a constraint) trips nothing.
/// </summary>
public sealed class StorageWriteFaultTests : StorageFaultTestBase
{
    // A real SQLITE_FULL, as on a full disk: an AUTOINCREMENT table whose largest rowid is taken cannot take
    // another row, and triggers make every write to the faulted tables (and the node's write check) insert one.
    private const string FillDisk = """
        CREATE TABLE test_full (id INTEGER PRIMARY KEY AUTOINCREMENT);
        INSERT INTO test_full (id) VALUES (9223372036854775807);
        CREATE TRIGGER test_full_grants BEFORE INSERT ON grants BEGIN INSERT INTO test_full (id) VALUES (NULL); END;
        CREATE TRIGGER test_full_customers BEFORE INSERT ON customers BEGIN INSERT INTO test_full (id) VALUES (NULL); END;
        CREATE TRIGGER test_full_invoices BEFORE INSERT ON invoices BEGIN INSERT INTO test_full (id) VALUES (NULL); END;
        CREATE TRIGGER test_full_webhook_attempts BEFORE INSERT ON webhook_attempts BEGIN INSERT INTO test_full (id) VALUES (NULL); END;
        CREATE TRIGGER test_full_settings_insert BEFORE INSERT ON settings WHEN NEW.key = 'storage_write_check' BEGIN INSERT INTO test_full (id) VALUES (NULL); END;
        CREATE TRIGGER test_full_settings_update BEFORE UPDATE ON settings WHEN NEW.key = 'storage_write_check' BEGIN INSERT INTO test_full (id) VALUES (NULL); END;
        """;

    private const string FreeDisk = """
        DROP TRIGGER test_full_grants; DROP TRIGGER test_full_customers; DROP TRIGGER test_full_invoices; DROP TRIGGER test_full_webhook_attempts;
        DROP TRIGGER test_full_settings_insert; DROP TRIGGER test_full_settings_update; DROP TABLE test_full;
        """;

    [Fact]
    public async Task AdminGrant_DiskFull_Answers503TripsTheGatewayAndRecoversOnceAWriteSucceeds()
    {
        using var admin = App.AdminClient();
        var customer = (await admin.CreateCustomerAsync()).Id();
        // A lesser token: billing may grant credit, and its failed write stops the line like any other.
        using var billing = App.AdminClient(await admin.CreateTokenAsync("billing"));
        using var client = App.ApiClient();
        using var probe = App.CreateClient();
        await App.ExecuteSqlAsync(FillDisk);

        using (var grant = await billing.RawAsync(HttpMethod.Post, $"/admin/v1/customers/{customer}/grants", """{"amount":"5"}"""))
        {
            await AssertErrorAsync(grant, HttpStatusCode.ServiceUnavailable, "storage_unavailable", type: "server_error");
            Assert.True(grant.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        }
        using (var ready = await probe.GetAsync("/readyz")) Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        using (var refused = await client.PostAsync("/v1/chat/completions", JsonBody(Body)))
            await AssertErrorAsync(refused, HttpStatusCode.ServiceUnavailable, "storage_unavailable", type: "server_error");
        Assert.Empty(Upstream.Received("up"));
        Assert.Contains(App.Logs.Lines, line => line.StartsWith("Error ", StringComparison.Ordinal) && line.Contains("Storage fault", StringComparison.Ordinal)
            && line.Contains("SQLite FULL", StringComparison.Ordinal));

        // Reads still answer (the operator can look around), and do not count as the storage taking writes again.
        await admin.GetJsonAsync($"/admin/v1/customers/{customer}");
        await Task.Delay(TimeSpan.FromSeconds(1));
        using (var ready = await probe.GetAsync("/readyz")) Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);

        await App.ExecuteSqlAsync(FreeDisk);
        await StorageFaultSteps.ReadyEventuallyAsync(probe);
        await billing.PostJsonAsync($"/admin/v1/customers/{customer}/grants", """{"amount":"5"}""");
        using (var served = await client.PostAsync("/v1/chat/completions", JsonBody(Body))) Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        Assert.Contains(App.Logs.Lines, line => line.Contains("Storage recovered", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AdminWrite_DiskFullAgainAfterRecovery_TripsAgain()
    {
        using var admin = App.AdminClient();
        using var probe = App.CreateClient();
        for (var round = 1; round <= 2; round++)
        {
            await App.ExecuteSqlAsync(FillDisk);
            using (var create = await admin.RawAsync(HttpMethod.Post, "/admin/v1/customers", """{"name":"Acme"}"""))
                await AssertErrorAsync(create, HttpStatusCode.ServiceUnavailable, "storage_unavailable", type: "server_error");
            using (var ready = await probe.GetAsync("/readyz")) Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            await App.ExecuteSqlAsync(FreeDisk);
            await StorageFaultSteps.ReadyEventuallyAsync(probe);
        }
        Assert.Equal(2, App.Logs.Lines.Count(line => line.Contains("Storage fault", StringComparison.Ordinal)));
        Assert.Equal(2, App.Logs.Lines.Count(line => line.Contains("Storage recovered", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task AdminWrite_ConstraintFailure_DoesNotTripTheGateway()
    {
        using var admin = App.AdminClient();
        using var client = App.ApiClient();
        using var probe = App.CreateClient();
        // A failure about the statement, whatever its message says: SQLITE_CONSTRAINT, not a broken disk.
        await App.ExecuteSqlAsync("CREATE TRIGGER test_refuse BEFORE INSERT ON customers BEGIN SELECT RAISE(ABORT, 'database or disk is full (not really)'); END;");

        // Unhandled as before (the in-process server hands it back; a real one answers 500): not a 503, and no trip.
        await Assert.ThrowsAsync<Microsoft.Data.Sqlite.SqliteException>(() => admin.RawAsync(HttpMethod.Post, "/admin/v1/customers", """{"name":"Acme"}"""));
        using (var ready = await probe.GetAsync("/readyz")) Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        using (var served = await client.PostAsync("/v1/chat/completions", JsonBody(Body))) Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        Assert.DoesNotContain(App.Logs.Lines, line => line.Contains("Storage fault", StringComparison.Ordinal));
    }

    [Fact]
    public async Task WebhookDelivery_DiskFillsAsItIsSent_TripsAndTheEventIsSentAgainAfterRecovery()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        using var admin = App.AdminClient();
        using var probe = App.CreateClient();
        var (endpointId, _) = await admin.CreateEndpointAsync(receiver.Url(), WebhookEventTypes.BudgetThreshold);
        await App.ExecuteSqlAsync(FillDisk);
        await admin.PostJsonAsync($"/admin/v1/webhook-endpoints/{endpointId}/test", "{}");

        // Sent, but its attempt cannot be recorded: the node trips rather than keep sending unrecorded deliveries.
        await Record.ExceptionAsync(() => App.DeliverDueAsync());
        var eventId = receiver.Received[0].EventId;
        using (var ready = await probe.GetAsync("/readyz")) Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);

        await App.ExecuteSqlAsync(FreeDisk);
        await StorageFaultSteps.ReadyEventuallyAsync(probe);
        var sentDuringTheFault = receiver.Received.Count;
        await App.DeliverDueAsync();
        // At least once: the receiver gets the same event again and deduplicates it by its id.
        Assert.True(receiver.Received.Count > sentDuringTheFault, $"{receiver.Received.Count} received");
        Assert.All(receiver.Received, received => Assert.Equal(eventId, received.EventId));
    }

    [Fact]
    public async Task InvoiceRun_DiskFullOnTheFirstCustomer_TripsAndStopsTheRun()
    {
        using var admin = App.AdminClient();
        using var probe = App.CreateClient();
        for (var i = 0; i < 5; i++) await admin.CreateCustomerAsync($"Customer {i}");
        await App.ExecuteSqlAsync(FillDisk);

        var period = App.Time.GetUtcNow().ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture);
        var run = await admin.PostJsonAsync("/admin/v1/invoice-runs", $$"""{"period":"{{period}}","finalize":false}""", HttpStatusCode.Accepted);
        for (var i = 0; i < 500 && run["status"]!.GetValue<string>() == "running"; i++)
        {
            await Task.Delay(20);
            run = await admin.GetJsonAsync($"/admin/v1/invoice-runs/{run.Id()}");
        }

        Assert.Equal("failed", run["status"]!.GetValue<string>());
        // The first customer's failure tripped the gateway; the rest were not tried against a broken disk.
        Assert.True(run["customers"]!.GetValue<int>() >= 6, run.ToJsonString());
        Assert.Equal(1, run["failed"]!.GetValue<int>());
        Assert.Contains("storage fault", run["error"]!.GetValue<string>(), StringComparison.Ordinal);
        using (var ready = await probe.GetAsync("/readyz")) Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
    }
}
