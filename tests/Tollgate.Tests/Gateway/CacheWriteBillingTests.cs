using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Tollgate.Billing.Pricing;
using Tollgate.Tests.Admin;
using Tollgate.Tests.Infrastructure;
using static Tollgate.Tests.Infrastructure.TollgateCalls;

namespace Tollgate.Tests.Gateway;

/// <summary>
/// Cache writes are a price class of their own: an Anthropic backend's <c>cache_creation_input_tokens</c>
/// are metered apart and billed at the card's cache-write price, exactly and the same on every
/// surface, streamed or not; the operator's cost uses the cost card's cache-write price.
/// </summary>
public sealed class CacheWriteBillingTests : IAsyncLifetime
{
    /// <summary>800 fresh × $3 + 200 cache reads × $0.30 + 100 cache writes × $3.75 + 500 out × $15, per million.</summary>
    private const decimal Charge = 0.0024m + 0.00006m + 0.000375m + 0.0075m;

    /// <summary>800 × $1 + 200 × $0.10 + 100 × $1.25 + 500 × $2, per million.</summary>
    private const decimal Cost = 0.0008m + 0.00002m + 0.000125m + 0.001m;

    private static readonly string Prompt = FixedBilling.Prompt;

    private readonly string _keyVariable = "TG_TEST_ANTHROPIC_" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
    private readonly TollgateFactory _app = new();
    private StubUpstream _stub = null!;

    public async Task InitializeAsync()
    {
        _app.Configuration[$"Upstreams:Credentials:{_keyVariable}:Hosts:0"] = "127.0.0.1";
        Environment.SetEnvironmentVariable(_keyVariable, "sk-ant-test-secret");
        _stub = await StubUpstream.StartAsync();
        await _app.PutModelAsync("claude-up", JsonNode.Parse($$$"""
            {"kind":"chat","max_output_tokens":4096,
             "backends":[{"id":"claude-b1","kind":"anthropic","base_url":"{{{_stub.BaseUrl("main")}}}","api_key_env":"{{{_keyVariable}}}","upstream_model":"claude-up-1",
                          "cost":{"input":"1","cached_input":"0.1","cache_write":"1.25","output":"2"}}],
             "price":{"input":"3","cached_input":"0.3","cache_write":"3.75","output":"15"}}
            """)!.AsObject());
    }

    public async Task DisposeAsync()
    {
        Environment.SetEnvironmentVariable(_keyVariable, null);
        await _app.DisposeAsync();
        await _stub.DisposeAsync();
    }

    [Theory]
    [InlineData("/v1/chat/completions", false)]
    [InlineData("/v1/chat/completions", true)]
    [InlineData("/v1/responses", false)]
    [InlineData("/v1/responses", true)]
    [InlineData("/v1/messages", false)]
    [InlineData("/v1/messages", true)]
    public async Task Post_CacheWritesOnEverySurface_BilledAtTheCacheWritePriceExactly(string path, bool stream)
    {
        var usage = AnthropicStub.Usage(800, stream ? 1 : 500, cacheRead: 200, cacheWrite: 100);
        _stub.On("main", stream ? AnthropicStub.Stream(usage, outputTokens: 500) : AnthropicStub.Message(usage));
        using var client = _app.ApiClient();
        var flag = stream ? "true" : "false";
        var body = path switch
        {
            "/v1/chat/completions" => $$"""{"model":"claude-up","max_tokens":600,"stream":{{flag}},"stream_options":{{(stream ? """{"include_usage":true}""" : "null")}},"messages":[{"role":"user","content":"{{Prompt}}"}]}""",
            "/v1/responses" => $$"""{"model":"claude-up","max_output_tokens":600,"stream":{{flag}},"input":"{{Prompt}}"}""",
            _ => $$"""{"model":"claude-up","max_tokens":600,"stream":{{flag}},"messages":[{"role":"user","content":"{{Prompt}}"}]}""",
        };

        using var response = await client.PostAsync(path, JsonBody(body));
        var text = await response.Content.ReadAsStringAsync();

        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        var recorded = Assert.Single(await _app.UsageAsync());
        Assert.Equal(new TokenUsage(1100, 200, 500, CacheWriteTokens: 100), recorded.Tokens);
        Assert.Equal(Charge, recorded.ChargedAmount);
        Assert.Equal(Charge, recorded.ListAmount);
        Assert.Equal(Cost, recorded.CostToServe);
        Assert.Contains("\"cost\":0.010335", text);
    }

    [Fact]
    public async Task PostMessages_CacheWrites_ShownAsCacheCreationApartFromInput()
    {
        _stub.On("main", AnthropicStub.Message(AnthropicStub.Usage(800, 500, cacheRead: 200, cacheWrite: 100)));
        using var client = _app.ApiClient();

        using var response = await client.PostAsync("/v1/messages", JsonBody($$"""{"model":"claude-up","max_tokens":600,"messages":[{"role":"user","content":"{{Prompt}}"}]}"""));
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var usage = document.RootElement.GetProperty("usage");

        Assert.Equal(800, usage.GetProperty("input_tokens").GetInt64());
        Assert.Equal(100, usage.GetProperty("cache_creation_input_tokens").GetInt64());
        Assert.Equal(200, usage.GetProperty("cache_read_input_tokens").GetInt64());
    }

    [Fact]
    public async Task GetUsageSummary_CacheWrites_CountedApartInAdminAndAccountUsage()
    {
        _stub.On("main", AnthropicStub.Message(AnthropicStub.Usage(800, 500, cacheRead: 200, cacheWrite: 100)));
        using var client = _app.ApiClient();
        using (var served = await client.PostAsync("/v1/chat/completions", JsonBody($$"""{"model":"claude-up","max_tokens":600,"messages":[{"role":"user","content":"{{Prompt}}"}]}""")))
        {
            Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        }
        using var admin = _app.AdminClient();

        var summary = await admin.GetJsonAsync("/admin/v1/usage/summary?group_by=model");
        var events = await admin.GetJsonAsync("/admin/v1/usage");

        Assert.Equal(100, Assert.Single(summary["data"]!.AsArray())!["cache_write_tokens"]!.GetValue<long>());
        Assert.Equal(100, Assert.Single(events["data"]!.AsArray())!["cache_write_tokens"]!.GetValue<long>());
    }
}
