using System.Net;
using System.Text.Json;
using Tollgate.Tests.Admin;
using Tollgate.Tests.Infrastructure;
using Tollgate.Tests.Subscriptions;
using static Tollgate.Tests.Infrastructure.TollgateCalls;

namespace Tollgate.Tests.Gateway;

/// <summary>
/// The rules of chat completions hold on the Responses and Messages surfaces: subscription
/// allowance windows (units counted on the same input), rate limits, and their refusals in each
/// surface's shape.
/// </summary>
public sealed class SurfaceRulesTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 10, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Allowance_SharedAcrossSurfaces_UnitsTakenAlikeThenRefusedInEachShape()
    {
        await using var scene = await SubscriptionScene.StartAsync(Start);
        // "big" weighs 3 units: three requests fit in 9, the fourth does not, whatever the surface.
        await scene.PlanAsync("basic", "20", """[{"name":"5h","kind":"session","duration_minutes":300,"size":9}]""");
        var (_, key) = await scene.SubscriberAsync("basic");
        using var client = scene.App.ApiClient(key);

        using var chat = await scene.ChatAsync(key);
        using var responses = await client.PostAsync("/v1/responses", JsonBody("""{"model":"big","max_output_tokens":20,"input":"hello there"}"""));
        using var messages = await client.PostAsync("/v1/messages", JsonBody("""{"model":"big","max_tokens":20,"messages":[{"role":"user","content":"hello there"}]}"""));
        using var refusedResponses = await client.PostAsync("/v1/responses", JsonBody("""{"model":"big","input":"hello there"}"""));
        using var refusedMessages = await client.PostAsync("/v1/messages", JsonBody("""{"model":"big","max_tokens":20,"messages":[{"role":"user","content":"hello there"}]}"""));

        Assert.Equal(HttpStatusCode.OK, chat.StatusCode);
        Assert.Equal(HttpStatusCode.OK, responses.StatusCode);
        Assert.Equal(HttpStatusCode.OK, messages.StatusCode);
        await AssertErrorAsync(refusedResponses, HttpStatusCode.TooManyRequests, "allowance_exhausted", type: "requests");
        Assert.NotNull(refusedResponses.Headers.RetryAfter);
        Assert.Equal(HttpStatusCode.TooManyRequests, refusedMessages.StatusCode);
        using var anthropic = JsonDocument.Parse(await refusedMessages.Content.ReadAsStringAsync());
        Assert.Equal("rate_limit_error", anthropic.RootElement.GetProperty("error").GetProperty("type").GetString());
        Assert.NotNull(refusedMessages.Headers.RetryAfter);
        var usage = await scene.App.UsageAsync();
        Assert.Equal([3L, 3L, 3L], usage.Select(u => u.Units));
        Assert.All(usage, u => Assert.Equal(0m, u.ChargedAmount));
    }

    [Fact]
    public async Task RateLimit_KeyAtOneRequestAMinute_SecondCallOnAnotherSurfaceRefusedWithRetryAfter()
    {
        await using var scene = await SubscriptionScene.StartAsync(Start);
        var customer = await scene.Admin.PostJsonAsync("/admin/v1/customers", """{"name":"Limited"}""");
        await scene.Admin.PostJsonAsync($"/admin/v1/customers/{customer.Id()}/grants", """{"amount":"10"}""");
        var key = (await scene.Admin.PostJsonAsync($"/admin/v1/customers/{customer.Id()}/keys", """{"rate_limits":{"requests_per_minute":1}}"""))["key"]!.GetValue<string>();
        using var client = scene.App.ApiClient(key);

        using var first = await client.PostAsync("/v1/responses", JsonBody("""{"model":"small","input":"hello"}"""));
        using var second = await client.PostAsync("/v1/messages", JsonBody("""{"model":"small","max_tokens":20,"messages":[{"role":"user","content":"hello"}]}"""));

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("1", Assert.Single(first.Headers.GetValues("x-ratelimit-limit-requests")));
        Assert.Equal(HttpStatusCode.TooManyRequests, second.StatusCode);
        Assert.NotNull(second.Headers.RetryAfter);
        using var body = JsonDocument.Parse(await second.Content.ReadAsStringAsync());
        Assert.Equal("error", body.RootElement.GetProperty("type").GetString());
        Assert.Equal("rate_limit_error", body.RootElement.GetProperty("error").GetProperty("type").GetString());
        Assert.Single(await scene.App.UsageAsync());
    }
}
