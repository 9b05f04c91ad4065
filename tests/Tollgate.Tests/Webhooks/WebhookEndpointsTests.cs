using System.Net;
using Microsoft.Data.Sqlite;
using Tollgate.Tests.Admin;
using Tollgate.Tests.Infrastructure;
using Tollgate.Webhooks;

namespace Tollgate.Tests.Webhooks;

/// <summary>The admin API for webhook endpoints: validation, scopes, the secret shown once and never stored in the clear, every change audited.</summary>
public sealed class WebhookEndpointsTests : IAsyncLifetime
{
    private readonly TollgateFactory _app = new(demo: false);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task Create_SecretShownOnce_NeverInReadsAuditOrDatabase()
    {
        using var admin = _app.AdminClient();

        var (id, secret) = await admin.CreateEndpointAsync("https://hooks.example.com/tollgate", WebhookEventTypes.BudgetThreshold, WebhookEventTypes.FlagRaised);
        var read = await admin.GetJsonAsync($"/admin/v1/webhook-endpoints/{id}");
        var list = await admin.GetJsonAsync("/admin/v1/webhook-endpoints");
        var audit = await admin.GetJsonAsync($"/admin/v1/audit?target_type=webhook_endpoint&target_id={id}");

        Assert.Equal("https://hooks.example.com/tollgate", read["url"].Text());
        Assert.Equal([WebhookEventTypes.BudgetThreshold, WebhookEventTypes.FlagRaised], read["events"]!.AsArray().Select(e => e.Text()));
        Assert.True(read["enabled"]!.GetValue<bool>());
        Assert.Equal(id, Assert.Single(list.Data())!["id"].Text());
        Assert.Equal("webhook_endpoint.create", Assert.Single(audit.Data())!["action"].Text());
        foreach (var document in new[] { read.ToJsonString(), list.ToJsonString(), audit.ToJsonString() }) Assert.DoesNotContain(secret, document);
        Assert.False(await DatabaseContainsAsync(secret), "the signing secret is stored in the clear");
    }

    [Fact]
    public async Task Update_RotateAndDelete_AreAudited()
    {
        using var admin = _app.AdminClient();
        var (id, _) = await admin.CreateEndpointAsync("https://hooks.example.com/a", "*");

        var updated = await admin.SendAsync(HttpMethod.Patch, $"/admin/v1/webhook-endpoints/{id}",
            """{"url":"https://hooks.example.com/b","description":"billing system","events":["invoice.finalized"]}""");
        var rotated = await admin.SendAsync(HttpMethod.Post, $"/admin/v1/webhook-endpoints/{id}/rotate-secret");
        var deleted = await admin.SendAsync(HttpMethod.Delete, $"/admin/v1/webhook-endpoints/{id}");
        var audit = await admin.GetJsonAsync($"/admin/v1/audit?target_type=webhook_endpoint&target_id={id}");

        Assert.Equal(("https://hooks.example.com/b", "billing system"), (updated["url"].Text(), updated["description"].Text()));
        Assert.Equal([WebhookEventTypes.InvoiceFinalized], updated["events"]!.AsArray().Select(e => e.Text()));
        Assert.NotNull(rotated["webhook_endpoint"]!["previous_secret_expires_at"]);
        Assert.NotNull(deleted["deleted_at"]);
        Assert.Equal(["webhook_endpoint.delete", "webhook_endpoint.rotate_secret", "webhook_endpoint.update", "webhook_endpoint.create"],
            audit.Data().Select(e => e!["action"].Text()));
        Assert.DoesNotContain(rotated["secret"].Text(), audit.ToJsonString());
        Assert.Equal("https://hooks.example.com/a", audit.Data()[2]!["before"]!["url"].Text());
    }

    [Theory]
    [InlineData("""{"events":["*"]}""", "url")]
    [InlineData("""{"url":"ftp://hooks.example.com","events":["*"]}""", "url")]
    [InlineData("""{"url":"/relative","events":["*"]}""", "url")]
    [InlineData("""{"url":"https://hooks.example.com"}""", "events")]
    [InlineData("""{"url":"https://hooks.example.com","events":[]}""", "events")]
    [InlineData("""{"url":"https://hooks.example.com","events":["budget.exceeded"]}""", "events")]
    [InlineData("""{"url":"https://hooks.example.com","events":["webhook.test"]}""", "events")]
    public async Task Create_Invalid_400NamesTheParam(string body, string param)
    {
        using var admin = _app.AdminClient();

        using var response = await admin.RawAsync(HttpMethod.Post, "/admin/v1/webhook-endpoints", body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(param, (await response.ReadJsonAsync())!["error"]!["param"].Text());
    }

    [Fact]
    public async Task Scopes_ReadListsButCannotChange_BillingChanges()
    {
        using var admin = _app.AdminClient();
        using var reader = _app.AdminClient(await admin.CreateTokenAsync("read"));
        using var billing = _app.AdminClient(await admin.CreateTokenAsync("billing"));
        const string body = """{"url":"https://hooks.example.com","events":["*"]}""";

        var byReader = await reader.StatusOfAsync(HttpMethod.Post, "/admin/v1/webhook-endpoints", body);
        var (id, _) = await billing.CreateEndpointAsync("https://hooks.example.com", "*");

        Assert.Equal(HttpStatusCode.Forbidden, byReader);
        Assert.Equal(HttpStatusCode.OK, await reader.StatusOfAsync(HttpMethod.Get, "/admin/v1/webhook-endpoints"));
        Assert.Equal(HttpStatusCode.OK, await reader.StatusOfAsync(HttpMethod.Get, "/admin/v1/webhook-deliveries"));
        Assert.Equal(HttpStatusCode.OK, await reader.StatusOfAsync(HttpMethod.Get, "/admin/v1/webhook-events"));
        Assert.Equal(HttpStatusCode.Forbidden, await reader.StatusOfAsync(HttpMethod.Post, $"/admin/v1/webhook-endpoints/{id}/rotate-secret"));
        Assert.Equal(HttpStatusCode.Forbidden, await reader.StatusOfAsync(HttpMethod.Delete, $"/admin/v1/webhook-endpoints/{id}"));
        using var keysOnly = _app.AdminClient(await admin.CreateTokenAsync("keys"));
        Assert.Equal(HttpStatusCode.Forbidden, await keysOnly.StatusOfAsync(HttpMethod.Get, "/admin/v1/webhook-deliveries"));
    }

    [Fact]
    public async Task Unknown_Ids_404()
    {
        using var admin = _app.AdminClient();

        Assert.Equal(HttpStatusCode.NotFound, await admin.StatusOfAsync(HttpMethod.Get, "/admin/v1/webhook-endpoints/whe_missing"));
        Assert.Equal(HttpStatusCode.NotFound, await admin.StatusOfAsync(HttpMethod.Post, "/admin/v1/webhook-endpoints/whe_missing/test", "{}"));
        Assert.Equal(HttpStatusCode.NotFound, await admin.StatusOfAsync(HttpMethod.Get, "/admin/v1/webhook-deliveries/whd_missing"));
        Assert.Equal(HttpStatusCode.NotFound, await admin.StatusOfAsync(HttpMethod.Post, "/admin/v1/webhook-deliveries/whd_missing/redeliver", "{}"));
        Assert.Equal(HttpStatusCode.NotFound, await admin.StatusOfAsync(HttpMethod.Get, "/admin/v1/webhook-events/evt_missing"));
    }

    private async Task<bool> DatabaseContainsAsync(string text)
    {
        await using var connection = new SqliteConnection($"Data Source={_app.DatabasePath};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT EXISTS (SELECT 1 FROM webhook_endpoints WHERE CAST(secret AS TEXT) LIKE '%' || $text || '%' OR instr(secret, CAST($text AS BLOB)) > 0)";
        command.Parameters.AddWithValue("$text", text);
        return (long)(await command.ExecuteScalarAsync())! == 1;
    }
}
