using System.Net;
using System.Text.Json.Nodes;
using Tollgate.Tests.Admin;
using Tollgate.Tests.Infrastructure;

namespace Tollgate.Tests.Shared;

/// <summary>
/// Redis down: reads that need the shared counters outside the gateway's stages (an admin read of
/// a subscription's windows, <c>/v1/account</c>) answer 503 <c>shared_state_unavailable</c> in the
/// error shape with a retry-after, not a bare 500, and answer again once Redis is back.
/// </summary>
[RequiresService(TestPostgres.Variable)]
[RequiresService(TestRedis.Variable)]
public sealed class SharedStateOutageTests : IAsyncLifetime
{
    private TestPostgres? _database;
    private readonly OwnRedis _redis = new();
    private TollgateFactory? _app;

    public async Task InitializeAsync()
    {
        _database = await TestPostgres.CreateAsync();
        await _redis.StartAsync();
        _app = new TollgateFactory(database: _database.ConnectionString, redis: (_redis.Configuration, "outage:"));
    }

    public async Task DisposeAsync()
    {
        if (_app is not null) await _app.DisposeAsync();
        await _redis.DisposeAsync();
        if (_database is not null) await _database.DisposeAsync();
    }

    [ServiceFact]
    public async Task SubscriptionAndAccountReads_RedisDown_503SharedStateUnavailableThenServedAgain()
    {
        using var admin = _app!.AdminClient();
        var customer = (await admin.CreateCustomerAsync()).Id();
        using (var grant = await admin.RawAsync(HttpMethod.Post, $"/admin/v1/customers/{customer}/grants", """{"amount":"10"}""")) grant.EnsureSuccessStatusCode();
        await admin.SendAsync(HttpMethod.Put, "/admin/v1/plans/outage", """
            {"name":"Outage","monthly_price":"1","models":["tg-mini"],"windows":[{"name":"5h","kind":"session","duration_minutes":300,"size":100}],
             "model_weights":{},"unit_size":1000,"overage":"block"}
            """);
        await admin.PostJsonAsync($"/admin/v1/customers/{customer}/subscription", """{"plan_id":"outage"}""");
        var path = $"/admin/v1/customers/{customer}/subscription";
        Assert.Equal(100, (await admin.GetJsonAsync(path))["windows"]![0]!["remaining"]!.GetValue<long>());

        await _redis.StopAsync();
        using (var down = await admin.RawAsync(HttpMethod.Get, path)) await AssertSharedStateUnavailableAsync(down);
        using (var api = _app.ApiClient())
        using (var account = await api.GetAsync("/v1/account")) await AssertSharedStateUnavailableAsync(account);

        await _redis.StartAsync();
        var windows = await EventuallyOkAsync(admin, path);
        Assert.Equal(100, windows["windows"]![0]!["remaining"]!.GetValue<long>());
    }

    private static async Task AssertSharedStateUnavailableAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable, $"{(int)response.StatusCode}: {body}");
        Assert.Equal("shared_state_unavailable", JsonNode.Parse(body)!["error"]!["code"]!.GetValue<string>());
        Assert.True(response.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1), "retry-after is missing");
    }

    private static async Task<JsonObject> EventuallyOkAsync(HttpClient admin, string path)
    {
        for (var attempt = 0; ; attempt++)
        {
            using var response = await admin.RawAsync(HttpMethod.Get, path);
            if (response.StatusCode == HttpStatusCode.OK) return (await response.ReadJsonAsync())!;
            Assert.True(attempt < 300, $"still {(int)response.StatusCode} after Redis came back");
            await Task.Delay(100);
        }
    }
}
