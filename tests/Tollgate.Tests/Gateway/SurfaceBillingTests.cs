using System.Net;
using System.Text.Json.Nodes;
using Tollgate.Storage;
using Tollgate.Tests.Infrastructure;
using static Tollgate.Tests.Infrastructure.TollgateCalls;

namespace Tollgate.Tests.Gateway;

/// <summary>
/// One pipeline, several wire formats: the same request with the same backend usage is metered
/// and charged the same through chat completions, responses and messages, streamed or not.
/// </summary>
public sealed class SurfaceBillingTests : IAsyncLifetime
{
    /// <summary>1,000 input tokens of which 200 cached, 500 output: 800 × $3 + 200 × $0.30 + 500 × $15, per million.</summary>
    private const decimal FixedCharge = 0.0024m + 0.00006m + 0.0075m;

    /// <summary>Long enough (1,499 bytes) that 1,000 reported input tokens are plausible.</summary>
    private static readonly string Prompt = string.Join(' ', Enumerable.Repeat("hello", 250));

    private readonly TollgateFactory _app = new();
    private StubUpstream _stub = null!;

    public async Task InitializeAsync()
    {
        _stub = await StubUpstream.StartAsync();
        await _app.PutModelAsync("up-chat", JsonNode.Parse($$$"""
            {"kind":"chat","max_output_tokens":4096,
             "backends":[{"id":"up-chat-b1","kind":"open_ai","base_url":"{{{_stub.BaseUrl("main")}}}","upstream_model":"up-model","cost":{"input":"1","output":"2"}}],
             "price":{"input":"3","cached_input":"0.3","output":"15"}}
            """)!.AsObject());
    }

    public async Task DisposeAsync()
    {
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
    public async Task Post_SameUsageOnEverySurface_ChargesTheSameExactAmount(string path, bool stream)
    {
        var usage = Stub.Usage(1000, 500, cached: 200);
        _stub.On("main", stream ? Stub.Stream(usage) : Stub.Completion(usage));
        using var client = _app.ApiClient();
        var flag = stream ? "true" : "false";
        var body = path switch
        {
            "/v1/chat/completions" => $$"""{"model":"up-chat","max_tokens":600,"stream":{{flag}},"messages":[{"role":"user","content":"{{Prompt}}"}]}""",
            "/v1/responses" => $$"""{"model":"up-chat","max_output_tokens":600,"stream":{{flag}},"input":"{{Prompt}}"}""",
            _ => $$"""{"model":"up-chat","max_tokens":600,"stream":{{flag}},"messages":[{"role":"user","content":"{{Prompt}}"}]}""",
        };

        using var response = await client.PostAsync(path, JsonBody(body));
        var text = await response.Content.ReadAsStringAsync();

        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        var recorded = Assert.Single(await _app.UsageAsync());
        Assert.Equal(FixedCharge, recorded.ChargedAmount);
        Assert.Equal(FixedCharge, recorded.ListAmount);
        Assert.Equal(new Tollgate.Billing.Pricing.TokenUsage(1000, 200, 500), recorded.Tokens);
        Assert.Equal(UsageSource.Backend, recorded.Source);
        Assert.Equal(stream, recorded.Streamed);
        // Cost to serve at the backend's card: 1,000 × $1 + 500 × $2 per million.
        Assert.Equal(0.002m, recorded.CostToServe);
        // Every surface forwards the same chat request, with the same output cap.
        var sent = Assert.Single(_stub.Received("main")).Body;
        Assert.Equal(Prompt, sent["messages"]![0]!["content"]!.GetValue<string>());
        Assert.Equal(600, (sent["max_completion_tokens"] ?? sent["max_tokens"])!.GetValue<int>());
        // The client sees the same cost (chat streams show it only when asked for with include_usage).
        if (!(stream && path == "/v1/chat/completions")) Assert.Contains("\"cost\":0.00996", text);
    }
}
