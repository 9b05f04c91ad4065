using System.Net;
using System.Text;
using System.Text.Json;
using Anthropic;
using Anthropic.Exceptions;
using Anthropic.Models.Messages;
using Tollgate.Storage;
using Tollgate.Tests.Infrastructure;
using static Tollgate.Tests.Infrastructure.TollgateCalls;

namespace Tollgate.Tests.Gateway.Messages;

/// <summary>
/// <c>POST /v1/messages</c> and <c>/v1/messages/count_tokens</c>: the official Anthropic SDK against
/// Tollgate, Anthropic's shapes for answers, stream events and errors, usage and cost exact.
/// </summary>
public sealed class MessagesTests : IAsyncLifetime
{
    private const decimal FixedCharge = FixedBilling.Charge;
    private static readonly string LongPrompt = FixedBilling.Prompt;

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

    /// <summary>The official SDK, changed only in base URL and key, with retries off.</summary>
    private AnthropicClient Sdk(string? apiKey = null) => new()
    {
        ApiKey = apiKey ?? _app.DemoApiKey,
        BaseUrl = _app.Server.BaseAddress.ToString().TrimEnd('/'),
        HttpClient = _app.CreateClient(),
        MaxRetries = 0,
    };

    private static MessageCreateParams Hello(string model = "tg-mini", long maxTokens = 64) => new()
    {
        Model = model,
        MaxTokens = maxTokens,
        Messages = [new UserMessageParam("Say hello to the gateway")],
    };

    [Fact]
    public async Task Create_WithOfficialSdk_ReturnsTextAndRecordsExactUsage()
    {
        var message = await Sdk().Messages.Create(Hello());

        Assert.Equal("tg-mini", message.Model.Raw());
        Assert.True(message.Content[0].TryPickText(out var text));
        Assert.False(string.IsNullOrWhiteSpace(text.Text));
        var usage = Assert.Single(await _app.UsageAsync());
        Assert.Equal(message.Usage.InputTokens, usage.Tokens.InputTokens);
        Assert.Equal(message.Usage.OutputTokens, usage.Tokens.OutputTokens);
        Assert.Equal(UsageSource.Backend, usage.Source);
        Assert.Equal(usage.Tokens.InputTokens * 0.15m / 1_000_000m + usage.Tokens.OutputTokens * 0.60m / 1_000_000m, usage.ChargedAmount);
    }

    [Fact]
    public async Task CreateStreaming_WithOfficialSdk_DeliversTextAndUsageInMessageDelta()
    {
        var text = new StringBuilder();
        long? outputTokens = null;
        long? inputTokens = null;

        await foreach (var e in Sdk().Messages.CreateStreaming(Hello()))
        {
            if (e.TryPickContentBlockDelta(out var delta) && delta.Delta.TryPickText(out var piece)) text.Append(piece.Text);
            if (e.TryPickDelta(out var done))
            {
                outputTokens = done.Usage.OutputTokens;
                inputTokens = done.Usage.InputTokens;
            }
        }

        Assert.True(text.Length > 0);
        var recorded = Assert.Single(await _app.UsageAsync());
        Assert.True(recorded.Streamed);
        Assert.Equal(recorded.Tokens.OutputTokens, outputTokens);
        Assert.Equal(recorded.Tokens.InputTokens, inputTokens);
    }

    [Fact]
    public async Task CountTokens_WithOfficialSdk_CountsInputAndBillsNothing()
    {
        var counted = await Sdk().Messages.CountTokens(new MessageCountTokensParams
        {
            Model = "tg-mini",
            Messages = [new UserMessageParam("Say hello to the gateway")],
        });
        var message = await Sdk().Messages.Create(Hello());

        Assert.Equal(message.Usage.InputTokens, counted.InputTokens);
        Assert.Single(await _app.UsageAsync());
    }

    [Theory]
    [InlineData(null, """{"model":"tg-mini","messages":[{"role":"user","content":"hi"}]}""", HttpStatusCode.Unauthorized, "authentication_error")]
    [InlineData("demo", """{"model":"tg-flagship","messages":[{"role":"user","content":"hi"}]}""", HttpStatusCode.Forbidden, "permission_error")]
    [InlineData("demo", """{"model":"no-such-model","messages":[{"role":"user","content":"hi"}]}""", HttpStatusCode.NotFound, "not_found_error")]
    [InlineData("demo", """{"model":"tg-mini"}""", HttpStatusCode.BadRequest, "invalid_request_error")]
    [InlineData("demo", """{"model":"tg-mini","messages":[{"role":"user","content":7}]}""", HttpStatusCode.BadRequest, "invalid_request_error")]
    public async Task CountTokens_Refused_ErrorInAnthropicShapeAndNothingBilled(string? key, string body, HttpStatusCode status, string type)
    {
        using var client = key is null ? _app.CreateClient() : AnthropicHttp();

        using var response = await client.PostAsync("/v1/messages/count_tokens", JsonBody(body));

        await AssertAnthropicErrorAsync(response, status, type);
        Assert.Empty(await _app.UsageAsync());
    }

    [Fact]
    public async Task PostMessages_FixedBackendUsage_AnswerInAnthropicShapeWithCacheReadsAndExactCost()
    {
        _stub.On("main", Stub.Completion(Stub.Usage(1000, 500, cached: 200)));
        using var client = AnthropicHttp();

        using var response = await client.PostAsync("/v1/messages", JsonBody(
            $$"""{"model":"up-chat","max_tokens":600,"system":"Be brief.","stop_sequences":["END"],"messages":[{"role":"user","content":[{"type":"text","text":"{{LongPrompt}}"}]}]}"""));

        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        AnthropicShapes.AssertValid("Message", text);
        Assert.Equal(Assert.Single(response.Headers.GetValues("x-request-id")), Assert.Single(response.Headers.GetValues("request-id")));
        using var body = JsonDocument.Parse(text);
        var usage = body.RootElement.GetProperty("usage");
        Assert.Equal(800, usage.GetProperty("input_tokens").GetInt64());
        Assert.Equal(200, usage.GetProperty("cache_read_input_tokens").GetInt64());
        Assert.Equal(500, usage.GetProperty("output_tokens").GetInt64());
        Assert.Equal(FixedCharge, usage.GetProperty("cost").GetDecimal());
        Assert.Equal("end_turn", body.RootElement.GetProperty("stop_reason").GetString());
        var recorded = Assert.Single(await _app.UsageAsync());
        Assert.Equal(FixedCharge, recorded.ChargedAmount);
        Assert.Equal(1000, recorded.Tokens.InputTokens);
        Assert.Equal(200, recorded.Tokens.CachedInputTokens);
        var sent = Assert.Single(_stub.Received("main")).Body;
        Assert.Equal("system", sent["messages"]![0]!["role"]!.GetValue<string>());
        Assert.Equal("END", sent["stop"]![0]!.GetValue<string>());
        Assert.Equal(600, (sent["max_completion_tokens"] ?? sent["max_tokens"])!.GetValue<int>());
    }

    [Fact]
    public async Task PostMessages_Streaming_EventSequenceInAnthropicShapeWithUsageInMessageDelta()
    {
        _stub.On("main", Stub.Stream(Stub.Usage(1000, 500, cached: 200)));
        using var client = AnthropicHttp();

        using var response = await client.PostAsync("/v1/messages", JsonBody(
            $$"""{"model":"up-chat","max_tokens":600,"stream":true,"messages":[{"role":"user","content":"{{LongPrompt}}"}]}"""));

        var events = Sse.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["message_start", "content_block_start"], events.Take(2).Select(e => e.Event));
        Assert.Equal(["content_block_stop", "message_delta", "message_stop"], events.TakeLast(3).Select(e => e.Event));
        foreach (var e in events)
        {
            AnthropicShapes.AssertValid("StreamEvent", e.Data);
            using var data = JsonDocument.Parse(e.Data);
            Assert.Equal(e.Event, data.RootElement.GetProperty("type").GetString());
        }
        var text = string.Concat(events.Where(e => e.Event == "content_block_delta")
            .Select(e => JsonDocument.Parse(e.Data).RootElement.GetProperty("delta").GetProperty("text").GetString()));
        Assert.Equal(string.Concat(Stub.Pieces), text);
        using var delta = JsonDocument.Parse(events[^2].Data);
        var usage = delta.RootElement.GetProperty("usage");
        Assert.Equal(800, usage.GetProperty("input_tokens").GetInt64());
        Assert.Equal(200, usage.GetProperty("cache_read_input_tokens").GetInt64());
        Assert.Equal(500, usage.GetProperty("output_tokens").GetInt64());
        Assert.Equal(FixedCharge, usage.GetProperty("cost").GetDecimal());
        Assert.Equal(FixedCharge, Assert.Single(await _app.UsageAsync()).ChargedAmount);
    }

    [Fact]
    public async Task PostMessages_ToolUseAndResult_TranslatedBothWays()
    {
        _stub.On("main", Stub.ToolCall("call_9", "get_weather", """{"city":"Lyon"}"""));
        using var client = AnthropicHttp();

        using var response = await client.PostAsync("/v1/messages", JsonBody("""
            {"model":"up-chat","max_tokens":100,
             "tools":[{"name":"get_weather","description":"Weather now","input_schema":{"type":"object","properties":{"city":{"type":"string"}}}}],
             "tool_choice":{"type":"any"},
             "messages":[
               {"role":"user","content":"Weather in Paris?"},
               {"role":"assistant","content":[{"type":"text","text":"Checking."},{"type":"tool_use","id":"toolu_1","name":"get_weather","input":{"city":"Paris"}}]},
               {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"18 C"},{"type":"text","text":"And Lyon?"}]}]}
            """));

        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        AnthropicShapes.AssertValid("Message", text);
        using var body = JsonDocument.Parse(text);
        var block = Assert.Single(body.RootElement.GetProperty("content").EnumerateArray());
        Assert.Equal("tool_use", block.GetProperty("type").GetString());
        Assert.Equal("call_9", block.GetProperty("id").GetString());
        Assert.Equal("Lyon", block.GetProperty("input").GetProperty("city").GetString());
        Assert.Equal("tool_use", body.RootElement.GetProperty("stop_reason").GetString());
        var sent = Assert.Single(_stub.Received("main")).Body;
        var messages = sent["messages"]!.AsArray();
        Assert.Equal(["user", "assistant", "tool", "user"], messages.Select(m => m!["role"]!.GetValue<string>()));
        Assert.Equal("toolu_1", messages[1]!["tool_calls"]![0]!["id"]!.GetValue<string>());
        Assert.Equal("""{"city":"Paris"}""", messages[1]!["tool_calls"]![0]!["function"]!["arguments"]!.GetValue<string>());
        Assert.Equal("toolu_1", messages[2]!["tool_call_id"]!.GetValue<string>());
        Assert.Equal("required", sent["tool_choice"]!.GetValue<string>());
        Assert.Equal("get_weather", sent["tools"]![0]!["function"]!["name"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("""{"model":"tg-mini","messages":[{"role":"user","content":"hi"}]}""", "max_tokens")]
    [InlineData("""{"model":"tg-mini","max_tokens":"ten","messages":[{"role":"user","content":"hi"}]}""", "max_tokens")]
    [InlineData("""{"model":"tg-mini","max_tokens":0,"messages":[{"role":"user","content":"hi"}]}""", "max_tokens")]
    [InlineData("""{"model":"tg-mini","max_tokens":999999,"messages":[{"role":"user","content":"hi"}]}""", "max_tokens")]
    [InlineData("""{"model":"tg-mini","max_tokens":10}""", "messages")]
    [InlineData("""{"model":"tg-mini","max_tokens":10,"messages":"hi"}""", "messages")]
    [InlineData("""{"model":"tg-mini","max_tokens":10,"messages":[{"role":"system","content":"hi"}]}""", "messages.0.role")]
    [InlineData("""{"model":"tg-mini","max_tokens":10,"messages":[{"role":"user","content":5}]}""", "messages.0.content")]
    [InlineData("""{"model":"tg-mini","max_tokens":10,"messages":[{"role":"user","content":[{"type":"document","source":{}}]}]}""", "messages.0.content.0.type")]
    [InlineData("""{"model":"tg-mini","max_tokens":10,"tools":[{"type":"web_search_20250305","name":"web_search"}],"messages":[{"role":"user","content":"hi"}]}""", "tools.0.type")]
    [InlineData("""{"model":"tg-mini","max_tokens":10,"stream":"yes","messages":[{"role":"user","content":"hi"}]}""", "stream")]
    [InlineData("""{"model":"tg-mini","max_tokens":10,"temperature":"warm","messages":[{"role":"user","content":"hi"}]}""", "temperature")]
    [InlineData("""{"max_tokens":10,"messages":[{"role":"user","content":"hi"}]}""", "model")]
    public async Task PostMessages_HostileInput_Returns400InvalidRequestErrorNamingTheField(string body, string field)
    {
        using var client = AnthropicHttp();

        using var response = await client.PostAsync("/v1/messages", JsonBody(body));

        var error = await AssertAnthropicErrorAsync(response, HttpStatusCode.BadRequest, "invalid_request_error");
        Assert.Contains(field, error.GetProperty("message").GetString());
        Assert.Empty(await _app.UsageAsync());
    }

    [Fact]
    public async Task Create_Errors_SdkRaisesItsExceptionTypesFor401And403And404And429()
    {
        var broke = await _app.CreateUnfundedKeyAsync();

        var badKey = await Assert.ThrowsAsync<AnthropicUnauthorizedException>(() => Sdk("tg_000000000000_0000000000000000000000000000000000000000").Messages.Create(Hello()));
        var gated = await Assert.ThrowsAsync<AnthropicForbiddenException>(() => Sdk().Messages.Create(Hello("tg-flagship")));
        var missing = await Assert.ThrowsAsync<AnthropicNotFoundException>(() => Sdk().Messages.Create(Hello("no-such-model")));
        var quota = await Assert.ThrowsAsync<AnthropicRateLimitException>(() => Sdk(broke).Messages.Create(Hello()));

        Assert.Contains("authentication_error", badKey.Message + badKey.Body);
        Assert.Contains("permission_error", gated.Message + gated.Body);
        Assert.Contains("not_found_error", missing.Message + missing.Body);
        Assert.Contains("rate_limit_error", quota.Message + quota.Body);
        Assert.Empty(await _app.UsageAsync());
    }

    [Theory]
    [InlineData(null, HttpStatusCode.Unauthorized, "authentication_error")]
    [InlineData("tg-flagship", HttpStatusCode.Forbidden, "permission_error")]
    [InlineData("no-such-model", HttpStatusCode.NotFound, "not_found_error")]
    public async Task PostMessages_Refused_ErrorInAnthropicShape(string? model, HttpStatusCode status, string type)
    {
        using var client = _app.CreateClient();
        if (model is not null) client.DefaultRequestHeaders.Add("x-api-key", _app.DemoApiKey);

        using var response = await client.PostAsync("/v1/messages", JsonBody(
            $$"""{"model":"{{model ?? "tg-mini"}}","max_tokens":10,"messages":[{"role":"user","content":"hi"}]}"""));

        await AssertAnthropicErrorAsync(response, status, type);
    }

    [Fact]
    public async Task PostMessages_QuotaRefused_Returns429RateLimitErrorWithRetryAfterAbsent()
    {
        using var client = AnthropicHttp(await _app.CreateUnfundedKeyAsync());

        using var response = await client.PostAsync("/v1/messages", JsonBody("""{"model":"tg-mini","max_tokens":10,"messages":[{"role":"user","content":"hi"}]}"""));

        var error = await AssertAnthropicErrorAsync(response, HttpStatusCode.TooManyRequests, "rate_limit_error");
        Assert.Contains("Insufficient quota", error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task PostMessages_BearerKey_AcceptedLikeXApiKey()
    {
        using var client = _app.ApiClient();

        using var response = await client.PostAsync("/v1/messages", JsonBody("""{"model":"tg-mini","max_tokens":10,"messages":[{"role":"user","content":"hi"}]}"""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task PostMessages_BackendRefusesRequest_PassedBackInAnthropicShape()
    {
        _stub.On("main", Stub.ClientError(400));
        using var client = AnthropicHttp();

        using var response = await client.PostAsync("/v1/messages", JsonBody("""{"model":"up-chat","max_tokens":10,"messages":[{"role":"user","content":"hi"}]}"""));

        var error = await AssertAnthropicErrorAsync(response, HttpStatusCode.BadRequest, "invalid_request_error");
        Assert.Contains("maximum context length", error.GetProperty("message").GetString());
        Assert.Empty(await _app.UsageAsync());
    }

    private HttpClient AnthropicHttp(string? apiKey = null)
    {
        var client = _app.CreateClient();
        client.DefaultRequestHeaders.Add("x-api-key", apiKey ?? _app.DemoApiKey);
        client.DefaultRequestHeaders.Add("anthropic-version", "2023-06-01");
        return client;
    }

    /// <summary>Asserts the status and Anthropic's error shape; returns the inner error object.</summary>
    private static async Task<JsonElement> AssertAnthropicErrorAsync(HttpResponseMessage response, HttpStatusCode status, string type)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"Expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        AnthropicShapes.AssertValid("Error", text);
        using var body = JsonDocument.Parse(text);
        Assert.Equal(type, body.RootElement.GetProperty("error").GetProperty("type").GetString());
        return body.RootElement.GetProperty("error").Clone();
    }
}
