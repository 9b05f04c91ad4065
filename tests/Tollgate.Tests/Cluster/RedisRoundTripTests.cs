using System.Globalization;
using System.Net;
using StackExchange.Redis;
using Tollgate.Tests.Admin;
using Tollgate.Tests.Infrastructure;

namespace Tollgate.Tests.Cluster;

/// <summary>
/// Redis calls on the request path, counted by Redis's own command statistics on a Redis of the
/// test's own (background checks slowed right down): a served request makes two (admission with
/// its limits and reservation; settlement with the limits' true-up), a refusal one.
/// </summary>
[RequiresService(TestPostgres.Variable)]
[RequiresService(TestRedis.Variable)]
public sealed class RedisRoundTripTests : IAsyncLifetime
{
    private const string Body = """{"model":"m","max_tokens":200,"messages":[{"role":"user","content":"hi"}]}""";
    private TestPostgres? _database;
    private readonly OwnRedis _redis = new();
    private TollgateFactory? _app;

    public async Task InitializeAsync()
    {
        _database = await TestPostgres.CreateAsync();
        await _redis.StartAsync();
        _app = new TollgateFactory(database: _database.ConnectionString, redis: (_redis.Configuration, "trips:"), demo: false);
        // Nothing but requests calls scripts while the test counts.
        _app.Configuration["Redis:EpochCheck"] = "01:00:00";
        _app.Configuration["Redis:SyncInterval"] = "01:00:00";
        _app.Configuration["Redis:EpochGrace"] = "00:00:00";
        using var admin = _app.AdminClient();
        await admin.SendAsync(HttpMethod.Put, "/admin/v1/models/m", """
            {"kind":"chat","max_output_tokens":1000,"backends":[{"id":"m-sim","kind":"simulator"}],"price":{"input":"1","output":"1"}}
            """);
    }

    public async Task DisposeAsync()
    {
        if (_app is not null) await _app.DisposeAsync();
        await _redis.DisposeAsync();
        if (_database is not null) await _database.DisposeAsync();
    }

    [ServiceFact]
    public async Task Chat_ServedWithKeyLimitsAndBudget_TwoRedisCallsEach()
    {
        using var client = _app!.ApiClient(await KeyAsync("10",
            """{"budget":"5","rate_limits":{"requests_per_minute":100,"tokens_per_minute":100000,"concurrency":5}}"""));
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(client)).StatusCode);

        var before = await ScriptCallsAsync();
        for (var i = 0; i < 10; i++) Assert.Equal(HttpStatusCode.OK, (await PostAsync(client)).StatusCode);
        var calls = await ScriptCallsAsync() - before;

        Assert.Equal(20, calls);
    }

    [ServiceFact]
    public async Task Chat_RefusedByRateLimit_OneRedisCall()
    {
        using var client = _app!.ApiClient(await KeyAsync("10", """{"rate_limits":{"requests_per_minute":2}}"""));
        for (var i = 0; i < 2; i++) Assert.Equal(HttpStatusCode.OK, (await PostAsync(client)).StatusCode);

        var before = await ScriptCallsAsync();
        using var refused = await PostAsync(client);
        var calls = await ScriptCallsAsync() - before;

        await TollgateCalls.AssertErrorAsync(refused, HttpStatusCode.TooManyRequests, "rate_limit_exceeded", type: "requests");
        Assert.True(refused.Headers.RetryAfter?.Delta > TimeSpan.Zero, "retry-after is missing");
        Assert.Equal(1, calls);
    }

    [ServiceFact]
    public async Task Chat_RefusedForQuota_OneRedisCallAndTheRequestStillCounts()
    {
        // $0.0001 cannot cover 200 output tokens at $1 per 1M ($0.0002), by the cheap bound or the exact count.
        using var client = _app!.ApiClient(await KeyAsync("0.0001", """{"rate_limits":{"requests_per_minute":3}}"""));
        // The first request of a customer seeds its accounts from the ledger: not what is counted here.
        using var seeding = await PostAsync(client);

        var before = await ScriptCallsAsync();
        using var refused = await PostAsync(client);
        var calls = await ScriptCallsAsync() - before;
        using var second = await PostAsync(client);
        using var third = await PostAsync(client);

        await TollgateCalls.AssertErrorAsync(refused, HttpStatusCode.TooManyRequests, "insufficient_quota", type: "insufficient_quota");
        Assert.Equal(1, calls);
        await TollgateCalls.AssertErrorAsync(second, HttpStatusCode.TooManyRequests, "insufficient_quota", type: "insufficient_quota");
        // Refused for quota after its limits passed, each request still counts toward requests per minute.
        await TollgateCalls.AssertErrorAsync(third, HttpStatusCode.TooManyRequests, "rate_limit_exceeded", type: "requests");
    }

    [ServiceFact]
    public async Task Chat_JoinedLimits_InFlightLeftAndTokensTruedUpAtSettlement()
    {
        // Each request is estimated at over 1,000 tokens (its max_tokens) and uses far fewer: without the
        // true-up the third would find the 3,000-token bucket empty; without leaving, the second its one place taken.
        using var client = _app!.ApiClient(await KeyAsync("10", """{"rate_limits":{"tokens_per_minute":3000,"concurrency":1}}"""));
        const string large = """{"model":"m","max_tokens":1000,"messages":[{"role":"user","content":"hi"}]}""";

        for (var i = 0; i < 6; i++)
        {
            using var response = await client.PostAsync("/v1/chat/completions", TollgateCalls.JsonBody(large));
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"request {i.ToString(CultureInfo.InvariantCulture)}: {await response.Content.ReadAsStringAsync()}");
        }
    }

    [ServiceFact]
    public async Task Chat_BackendFails_JoinedLimitsGivenBack()
    {
        using var admin = _app!.AdminClient();
        await admin.SendAsync(HttpMethod.Put, "/admin/v1/models/down", """
            {"kind":"chat","max_output_tokens":1000,"backends":[{"id":"down-1","kind":"open_ai","base_url":"http://127.0.0.1:9/v1","upstream_model":"x"}],
             "price":{"input":"1","output":"1"}}
            """);
        // Each failed request's estimate (over 1,000 tokens) would empty the 2,500-token bucket by the third if it were not given back.
        using var client = _app.ApiClient(await KeyAsync("10", """{"rate_limits":{"tokens_per_minute":2500}}"""));
        const string failing = """{"model":"down","max_tokens":1000,"messages":[{"role":"user","content":"hi"}]}""";

        for (var i = 0; i < 4; i++)
        {
            using var response = await client.PostAsync("/v1/chat/completions", TollgateCalls.JsonBody(failing));
            Assert.True(response.StatusCode is HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout,
                $"request {i.ToString(CultureInfo.InvariantCulture)}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            // A release is sent without waiting for Redis's answer (the response does not wait on it): let it land.
            await Task.Delay(200);
        }
        using var served = await client.PostAsync("/v1/chat/completions", TollgateCalls.JsonBody(Body));
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
    }

    private async Task<string> KeyAsync(string funds, string keyBody)
    {
        using var admin = _app!.AdminClient();
        var customer = await admin.CreateCustomerAsync();
        await admin.PostJsonAsync($"/admin/v1/customers/{customer.Id()}/grants", $$"""{"amount":"{{funds}}"}""");
        return (await admin.PostJsonAsync($"/admin/v1/customers/{customer.Id()}/keys", keyBody))["key"]!.GetValue<string>();
    }

    private static Task<HttpResponseMessage> PostAsync(HttpClient client) => client.PostAsync("/v1/chat/completions", TollgateCalls.JsonBody(Body));

    /// <summary>Script calls Redis has run so far (EVALSHA and EVAL), from its command statistics.</summary>
    private async Task<long> ScriptCallsAsync()
    {
        await using var connection = await ConnectionMultiplexer.ConnectAsync(_redis.Configuration + ",allowAdmin=true");
        var info = (string)(await connection.GetDatabase().ExecuteAsync("INFO", "commandstats"))!;
        long calls = 0;
        foreach (var line in info.Split('\n'))
        {
            if (!line.StartsWith("cmdstat_evalsha:", StringComparison.Ordinal) && !line.StartsWith("cmdstat_eval:", StringComparison.Ordinal)) continue;
            var field = line.Split(':', 2)[1].Split(',')[0];
            calls += long.Parse(field["calls=".Length..], CultureInfo.InvariantCulture);
        }
        return calls;
    }
}
