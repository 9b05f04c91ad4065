using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using Tollgate.Tests.Admin;
using Tollgate.Tests.Infrastructure;

namespace Tollgate.Tests.Limits;

public sealed class RateLimitTests : IAsyncLifetime
{
    private const string Body = """{"model":"m","max_tokens":10,"messages":[{"role":"user","content":"hi"}]}""";
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly TollgateFactory _app;

    public RateLimitTests() => _app = new TollgateFactory(_time, demo: false);

    public async Task InitializeAsync()
    {
        using var admin = _app.AdminClient();
        await admin.SendAsync(HttpMethod.Put, "/admin/v1/models/m", """
            {"kind":"chat","max_output_tokens":100,"backends":[{"id":"m-sim","kind":"simulator"}],"price":{"input":"1","output":"1"}}
            """);
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task RequestsPerMinute_PastLimit_Returns429WithRetryAfterThenRefills()
    {
        using var client = _app.ApiClient(await KeyAsync("""{"rate_limits":{"requests_per_minute":3}}"""));

        var first = await PostAsync(client);
        for (var i = 0; i < 2; i++) await PostAsync(client);
        using var refused = await client.PostAsync("/v1/chat/completions", TollgateCalls.JsonBody(Body));
        var retryAfter = refused.Headers.RetryAfter?.Delta;
        await TollgateCalls.AssertErrorAsync(refused, HttpStatusCode.TooManyRequests, "rate_limit_exceeded", type: "requests");
        _time.Advance(TimeSpan.FromSeconds(20));
        var refilled = await PostAsync(client);

        Assert.Equal("3", first.Headers.GetValues("x-ratelimit-limit-requests").Single());
        Assert.Equal("2", first.Headers.GetValues("x-ratelimit-remaining-requests").Single());
        Assert.Equal("20s", first.Headers.GetValues("x-ratelimit-reset-requests").Single());
        Assert.Equal(TimeSpan.FromSeconds(20), retryAfter);
        Assert.Equal(HttpStatusCode.OK, refilled.StatusCode);
    }

    [Fact]
    public async Task CustomerLimit_AppliesAcrossAllItsKeys()
    {
        using var admin = _app.AdminClient();
        var customer = await admin.PostJsonAsync("/admin/v1/customers", """{"name":"Shared","rate_limits":{"requests_per_minute":2}}""");
        await admin.PostJsonAsync($"/admin/v1/customers/{customer.Id()}/grants", """{"amount":"10"}""");
        using var one = _app.ApiClient((await admin.PostJsonAsync($"/admin/v1/customers/{customer.Id()}/keys", "{}"))["key"]!.GetValue<string>());
        using var two = _app.ApiClient((await admin.PostJsonAsync($"/admin/v1/customers/{customer.Id()}/keys", "{}"))["key"]!.GetValue<string>());

        Assert.Equal(HttpStatusCode.OK, (await PostAsync(one)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(two)).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await PostAsync(one)).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await PostAsync(two)).StatusCode);
    }

    [Fact]
    public async Task TokensPerMinute_EstimateTakenThenTruedUpToMeteredUse()
    {
        using var client = _app.ApiClient(await KeyAsync("""{"rate_limits":{"tokens_per_minute":200}}"""));

        using var first = await PostAsync(client);
        var remainingAfterFirst = long.Parse(first.Headers.GetValues("x-ratelimit-remaining-tokens").Single(), System.Globalization.CultureInfo.InvariantCulture);
        using var second = await PostAsync(client);
        var remainingAfterSecond = long.Parse(second.Headers.GetValues("x-ratelimit-remaining-tokens").Single(), System.Globalization.CultureInfo.InvariantCulture);
        var used = (await _app.UsageAsync()).OrderBy(u => u.CompletedAt).First().Tokens.TotalTokens;

        // Admission took an estimate above the real use; settlement gave the difference back, so
        // the second request finds only the first one's real use gone, then takes its own estimate.
        Assert.True(remainingAfterFirst < 200 - used);
        Assert.Equal(remainingAfterFirst - used, remainingAfterSecond);
    }

    [Fact]
    public async Task Account_ShowsLimitsWithRemaining()
    {
        using var client = _app.ApiClient(await KeyAsync("""{"rate_limits":{"requests_per_minute":5,"tokens_per_minute":1000}}"""));
        await PostAsync(client);

        var account = JsonNode.Parse(await client.GetStringAsync("/v1/account"))!;

        var limits = account["limits"]!.AsArray();
        Assert.Equal(["requests_per_minute", "tokens_per_minute"], limits.Select(l => l!["name"]!.GetValue<string>()));
        Assert.Equal(4, limits[0]!["remaining"]!.GetValue<long>());
    }

    [Fact]
    public async Task InvalidLimit_Returns400NamingTheField()
    {
        using var admin = _app.AdminClient();
        var customer = await admin.CreateCustomerAsync();

        using var response = await admin.RawAsync(HttpMethod.Post, $"/admin/v1/customers/{customer.Id()}/keys", """{"rate_limits":{"requests_per_minute":0}}""");

        await TollgateCalls.AssertErrorAsync(response, HttpStatusCode.BadRequest, null, "rate_limits.requests_per_minute");
    }

    private async Task<string> KeyAsync(string keyBody)
    {
        using var admin = _app.AdminClient();
        var customer = await admin.CreateCustomerAsync();
        await admin.PostJsonAsync($"/admin/v1/customers/{customer.Id()}/grants", """{"amount":"10"}""");
        return (await admin.PostJsonAsync($"/admin/v1/customers/{customer.Id()}/keys", keyBody))["key"]!.GetValue<string>();
    }

    private static Task<HttpResponseMessage> PostAsync(HttpClient client) => client.PostAsync("/v1/chat/completions", TollgateCalls.JsonBody(Body));
}
