using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Tollgate.Tests.Infrastructure;
using static Tollgate.Tests.Infrastructure.AnthropicStub;
using static Tollgate.Tests.Infrastructure.TollgateCalls;

namespace Tollgate.Tests.Upstreams;

/// <summary>
/// The <c>anthropic</c> backend kind against a stub Anthropic server on loopback: requests
/// translated to the Messages API, usage read from the message and from <c>message_start</c> and
/// <c>message_delta</c> (cache reads and writes included), busy answers falling through.
/// </summary>
public sealed class AnthropicBackendTests : IAsyncLifetime
{
    /// <summary>800 fresh + 200 cache reads + 100 cache writes in, 500 out: 800 × $3 + 200 × $0.30 + 100 × $3 (no cache-write price: input's) + 500 × $15, per million.</summary>
    private const decimal FixedCharge = 0.0027m + 0.00006m + 0.0075m;

    private static readonly string Prompt = string.Join(' ', Enumerable.Repeat("hello", 250));

    private readonly string _keyVariable = "TG_TEST_ANTHROPIC_" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
    private readonly TollgateFactory _app = new();
    private StubUpstream _stub = null!;

    public async Task InitializeAsync()
    {
        _app.Configuration[$"Upstreams:Credentials:{_keyVariable}:Hosts:0"] = "127.0.0.1";
        Environment.SetEnvironmentVariable(_keyVariable, "sk-ant-test-secret");
        _stub = await StubUpstream.StartAsync();
        await PutModelAsync("first");
    }

    public async Task DisposeAsync()
    {
        Environment.SetEnvironmentVariable(_keyVariable, null);
        await _app.DisposeAsync();
        await _stub.DisposeAsync();
    }

    private Task PutModelAsync(params string[] routes) => _app.PutModelAsync("claude-up", JsonNode.Parse($$$"""
        {"kind":"chat","max_output_tokens":4096,
         "backends":[{{{string.Join(',', routes.Select(r => $$"""{"id":"{{r}}","kind":"anthropic","base_url":"{{_stub.BaseUrl(r)}}","api_key_env":"{{_keyVariable}}","upstream_model":"claude-up-1"}"""))}}}],
         "price":{"input":"3","cached_input":"0.3","output":"15"}}
        """)!.AsObject());

    [Fact]
    public async Task PostChat_AnthropicBackend_TranslatesRequestAndBillsItsUsageWithCache()
    {
        _stub.On("first", Message(Usage(800, 500, cacheRead: 200, cacheWrite: 100)));
        using var client = _app.ApiClient();

        using var response = await client.PostAsync("/v1/chat/completions", JsonBody($$"""
            {"model":"claude-up","max_tokens":600,"stop":"END","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"{{Prompt}}"}]}
            """));

        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        OpenAiSchemas.AssertValid("CreateChatCompletionResponse", text);
        using var body = JsonDocument.Parse(text);
        Assert.Equal("Hello from Anthropic.", body.RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
        Assert.Equal(1100, body.RootElement.GetProperty("usage").GetProperty("prompt_tokens").GetInt64());
        Assert.Equal(FixedCharge, body.RootElement.GetProperty("usage").GetProperty("cost").GetDecimal());
        var recorded = Assert.Single(await _app.UsageAsync());
        Assert.Equal(new Tollgate.Billing.Pricing.TokenUsage(1100, 200, 500, CacheWriteTokens: 100), recorded.Tokens);
        Assert.Equal(FixedCharge, recorded.ChargedAmount);
        var sent = Assert.Single(_stub.Received("first"));
        Assert.EndsWith("/v1/messages", sent.Path);
        Assert.Equal("sk-ant-test-secret", sent.Headers["x-api-key"]);
        Assert.Equal("2023-06-01", sent.Headers["anthropic-version"]);
        Assert.False(sent.Headers.ContainsKey("Authorization"));
        Assert.Equal("claude-up-1", sent.Body["model"]!.GetValue<string>());
        Assert.Equal("Be brief.", sent.Body["system"]!.GetValue<string>());
        Assert.Equal(600, sent.Body["max_tokens"]!.GetValue<int>());
        Assert.Equal("END", sent.Body["stop_sequences"]![0]!.GetValue<string>());
        Assert.Equal("user", Assert.Single(sent.Body["messages"]!.AsArray())!["role"]!.GetValue<string>());
    }

    [Fact]
    public async Task PostMessagesStreaming_AnthropicBackend_UsageFromMessageStartAndDeltaBilledExactly()
    {
        _stub.On("first", Stream(Usage(800, 1, cacheRead: 200, cacheWrite: 100), outputTokens: 500));
        using var client = _app.CreateClient();
        client.DefaultRequestHeaders.Add("x-api-key", _app.DemoApiKey);

        using var response = await client.PostAsync("/v1/messages", JsonBody($$"""
            {"model":"claude-up","max_tokens":600,"stream":true,"messages":[{"role":"user","content":"{{Prompt}}"}]}
            """));

        var events = Sse.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        foreach (var e in events) AnthropicShapes.AssertValid("StreamEvent", e.Data);
        Assert.Equal("Hello from Anthropic.", string.Concat(events.Where(e => e.Event == "content_block_delta")
            .Select(e => JsonDocument.Parse(e.Data).RootElement.GetProperty("delta").GetProperty("text").GetString())));
        using var delta = JsonDocument.Parse(events.Single(e => e.Event == "message_delta").Data);
        Assert.Equal(800, delta.RootElement.GetProperty("usage").GetProperty("input_tokens").GetInt64());
        Assert.Equal(100, delta.RootElement.GetProperty("usage").GetProperty("cache_creation_input_tokens").GetInt64());
        Assert.Equal(200, delta.RootElement.GetProperty("usage").GetProperty("cache_read_input_tokens").GetInt64());
        Assert.Equal(500, delta.RootElement.GetProperty("usage").GetProperty("output_tokens").GetInt64());
        var recorded = Assert.Single(await _app.UsageAsync());
        Assert.Equal(new Tollgate.Billing.Pricing.TokenUsage(1100, 200, 500, CacheWriteTokens: 100), recorded.Tokens);
        Assert.Equal(FixedCharge, recorded.ChargedAmount);
        Assert.True(Assert.Single(_stub.Received("first")).Body["stream"]!.GetValue<bool>());
    }

    [Fact]
    public async Task PostChatStreaming_AnthropicToolUse_ArrivesAsToolCallDeltas()
    {
        _stub.On("first", ToolUseStream());
        using var client = _app.ApiClient();

        using var response = await client.PostAsync("/v1/chat/completions", JsonBody("""
            {"model":"claude-up","stream":true,"tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object"}}}],"tool_choice":"required",
             "messages":[{"role":"user","content":"Weather?"},
                         {"role":"assistant","content":null,"tool_calls":[{"id":"toolu_0","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}}]},
                         {"role":"tool","tool_call_id":"toolu_0","content":"18 C"}]}
            """));

        var events = Sse.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var calls = events.Where(e => e.Data != "[DONE]").Select(e => JsonDocument.Parse(e.Data).RootElement)
            .Where(c => c.GetProperty("choices").GetArrayLength() > 0 && c.GetProperty("choices")[0].GetProperty("delta").TryGetProperty("tool_calls", out _))
            .Select(c => c.GetProperty("choices")[0].GetProperty("delta").GetProperty("tool_calls")[0]).ToList();
        Assert.Equal("toolu_1", calls[0].GetProperty("id").GetString());
        Assert.Equal("get_weather", calls[0].GetProperty("function").GetProperty("name").GetString());
        Assert.Equal("""{"city":"Lyon"}""", string.Concat(calls.Select(c => c.GetProperty("function").GetProperty("arguments").GetString())));
        var sent = Assert.Single(_stub.Received("first")).Body;
        Assert.Equal("any", sent["tool_choice"]!["type"]!.GetValue<string>());
        Assert.Equal("get_weather", sent["tools"]![0]!["name"]!.GetValue<string>());
        var messages = sent["messages"]!.AsArray();
        Assert.Equal(["user", "assistant", "user"], messages.Select(m => m!["role"]!.GetValue<string>()));
        Assert.Equal("Paris", messages[1]!["content"]![0]!["input"]!["city"]!.GetValue<string>());
        Assert.Equal("tool_result", messages[2]!["content"]![0]!["type"]!.GetValue<string>());
        Assert.Equal(10, Assert.Single(await _app.UsageAsync()).Tokens.OutputTokens);
    }

    [Fact]
    public async Task PostChat_FirstBackendOverloaded529_FallsThroughToNextAndBillsOnce()
    {
        await PutModelAsync("first", "second");
        _stub.On("first", Overloaded(529, retryAfter: null));
        _stub.On("second", Message(Usage(800, 500, cacheRead: 200, cacheWrite: 100)));
        using var client = _app.ApiClient();

        using var response = await client.PostAsync("/v1/chat/completions", JsonBody($$"""{"model":"claude-up","messages":[{"role":"user","content":"{{Prompt}}"}]}"""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var recorded = Assert.Single(await _app.UsageAsync());
        Assert.Equal("second", recorded.BackendId);
        Assert.Equal(FixedCharge, recorded.ChargedAmount);
    }

    [Fact]
    public async Task PostMessages_Overloaded529ThenSuccess_RetriedOnSameBackendAndBilledOnce()
    {
        var calls = 0;
        var success = Message(Usage(800, 500, cacheRead: 200, cacheWrite: 100));
        var overloaded = Overloaded(529, retryAfter: 1);
        _stub.On("first", (http, body, stopping) => Interlocked.Increment(ref calls) == 1 ? overloaded(http, body, stopping) : success(http, body, stopping));
        using var client = _app.CreateClient();
        client.DefaultRequestHeaders.Add("x-api-key", _app.DemoApiKey);

        using var response = await client.PostAsync("/v1/messages", JsonBody($$"""{"model":"claude-up","max_tokens":600,"messages":[{"role":"user","content":"{{Prompt}}"}]}"""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, _stub.Received("first").Count);
        var recorded = Assert.Single(await _app.UsageAsync());
        Assert.Equal(FixedCharge, recorded.ChargedAmount);
    }

    [Theory]
    [InlineData("/v1/chat/completions", 503)]
    [InlineData("/v1/messages", 529)]
    public async Task Post_EveryBackendBusy_TellsClientToRetryAfterUpstreamsTime(string path, int status)
    {
        _stub.On("first", Overloaded(429, retryAfter: 7));
        using var client = _app.ApiClient();

        using var response = await client.PostAsync(path, JsonBody("""{"model":"claude-up","max_tokens":10,"messages":[{"role":"user","content":"hi"}]}"""));

        var text = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == status, text);
        Assert.Equal("7", Assert.Single(response.Headers.GetValues("retry-after")));
        Assert.Contains(status == 529 ? "\"overloaded_error\"" : "\"model_overloaded\"", text);
        Assert.Empty(await _app.UsageAsync());
    }

    [Fact]
    public async Task PostChat_AnthropicRefusesRequest_PassedBackInOpenAiShapeWithoutFallback()
    {
        await PutModelAsync("first", "second");
        _stub.On("first", (http, _, _) => Stub.WriteJsonAsync(http, 400,
            """{"type":"error","error":{"type":"invalid_request_error","message":"prompt is too long: 300000 tokens > 200000 maximum"}}"""));
        using var client = _app.ApiClient();

        using var response = await client.PostAsync("/v1/chat/completions", JsonBody("""{"model":"claude-up","messages":[{"role":"user","content":"hi"}]}"""));

        var error = await AssertErrorAsync(response, HttpStatusCode.BadRequest, null);
        Assert.Contains("prompt is too long", error.GetProperty("message").GetString());
        Assert.Empty(_stub.Received("second"));
        Assert.Empty(await _app.UsageAsync());
    }

    [Fact]
    public async Task PutModel_AnthropicBackendForEmbeddings_Refused()
    {
        using var admin = _app.AdminClient();

        using var response = await admin.PutAsync("/admin/v1/models/claude-embed", JsonBody($$$"""
            {"kind":"embeddings","backends":[{"id":"e1","kind":"anthropic","base_url":"{{{_stub.BaseUrl("first")}}}"}],"price":{"input":"1","output":"0"}}
            """));

        await AssertErrorAsync(response, HttpStatusCode.BadRequest, null, "backends[0].kind");
    }

    private static StubReply ToolUseStream() => (http, _, stopping) => AnthropicStub.SseAsync(http, stopping,
        ("message_start", AnthropicStub.Json("""{"type":"message_start","message":{"id":"msg_t","type":"message","role":"assistant","model":"claude-up-1","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":30,"output_tokens":1}}}""")),
        ("content_block_start", AnthropicStub.Json("""{"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"toolu_1","name":"get_weather","input":{}}}""")),
        ("content_block_delta", AnthropicStub.Json("""{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{\"city\":"}}""")),
        ("content_block_delta", AnthropicStub.Json("""{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"\"Lyon\"}"}}""")),
        ("content_block_stop", AnthropicStub.Json("""{"type":"content_block_stop","index":0}""")),
        ("message_delta", AnthropicStub.Json("""{"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":10}}""")),
        ("message_stop", AnthropicStub.Json("""{"type":"message_stop"}""")));

    private static StubReply Overloaded(int status, int? retryAfter) => (http, _, _) =>
    {
        if (retryAfter is { } seconds) http.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Stub.WriteJsonAsync(http, status, $$$"""{"type":"error","error":{"type":"{{{(status == 529 ? "overloaded_error" : "rate_limit_error")}}}","message":"Busy."}}""");
    };
}
