using System.Net;
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
    private const decimal FixedCharge = FixedBilling.Charge;
    private static readonly string Prompt = FixedBilling.Prompt;

    private readonly TollgateFactory _app = new();
    private StubUpstream _stub = null!;

    public async Task InitializeAsync()
    {
        _stub = await StubUpstream.StartAsync();
        await FixedBilling.PutModelAsync(_app, _stub.BaseUrl("main"));
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
