using System.ClientModel;
using System.Net;
using System.Text;
using System.Text.Json;
using OpenAI.Responses;
using Tollgate.Storage;
using Tollgate.Tests.Infrastructure;
using static Tollgate.Tests.Infrastructure.TollgateCalls;

#pragma warning disable OPENAI001 // The Responses client is marked experimental in the SDK.

namespace Tollgate.Tests.Gateway.Responses;

/// <summary>
/// <c>POST /v1/responses</c>: the official SDK's Responses client against Tollgate, answers and
/// every stream event valid against OpenAI's published schemas, usage and cost exact.
/// </summary>
public sealed class ResponsesTests : IAsyncLifetime
{
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

    private const decimal FixedCharge = FixedBilling.Charge;
    private static readonly string LongPrompt = FixedBilling.Prompt;

    [Fact]
    public async Task CreateResponse_WithOfficialSdk_ReturnsTextAndRecordsExactUsage()
    {
        var client = _app.OpenAi().GetResponsesClient();

        ResponseResult response = await client.CreateResponseAsync("tg-mini", "Say hello to the gateway");

        Assert.Equal("tg-mini", response.Model);
        Assert.False(string.IsNullOrWhiteSpace(response.GetOutputText()));
        var usage = Assert.Single(await _app.UsageAsync());
        Assert.Equal(response.Usage.InputTokenCount, usage.Tokens.InputTokens);
        Assert.Equal(response.Usage.OutputTokenCount, usage.Tokens.OutputTokens);
        Assert.Equal(UsageSource.Backend, usage.Source);
        Assert.Equal(usage.Tokens.InputTokens * 0.15m / 1_000_000m + usage.Tokens.OutputTokens * 0.60m / 1_000_000m, usage.ChargedAmount);
    }

    [Fact]
    public async Task CreateResponseStreaming_WithOfficialSdk_DeliversDeltasAndCompletedUsage()
    {
        var client = _app.OpenAi().GetResponsesClient();
        var text = new StringBuilder();
        ResponseResult? completed = null;

        await foreach (var update in await client.CreateResponseStreamingAsync("tg-mini", "Stream something"))
        {
            if (update is StreamingResponseOutputTextDeltaUpdate delta) text.Append(delta.Delta);
            if (update is StreamingResponseCompletedUpdate done) completed = done.Response;
        }

        Assert.NotNull(completed);
        Assert.True(text.Length > 0);
        Assert.Equal(text.ToString(), completed.GetOutputText());
        var recorded = Assert.Single(await _app.UsageAsync());
        Assert.True(recorded.Streamed);
        Assert.Equal(completed.Usage.OutputTokenCount, recorded.Tokens.OutputTokens);
        Assert.Equal(completed.Usage.InputTokenCount, recorded.Tokens.InputTokens);
    }

    [Fact]
    public async Task PostResponses_FixedBackendUsage_AnswerMatchesSchemaWithExactUsageAndCost()
    {
        _stub.On("main", Stub.Completion(Stub.Usage(1000, 500, cached: 200)));
        using var client = _app.ApiClient();

        using var response = await client.PostAsync("/v1/responses", JsonBody(
            $$"""{"model":"up-chat","instructions":"Be brief.","input":"{{LongPrompt}}","max_output_tokens":600,"temperature":0.5}"""));

        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        OpenAiSchemas.AssertValid("Response", text);
        using var body = JsonDocument.Parse(text);
        var root = body.RootElement;
        Assert.Equal("completed", root.GetProperty("status").GetString());
        Assert.Equal("Be brief.", root.GetProperty("instructions").GetString());
        Assert.Equal(600, root.GetProperty("max_output_tokens").GetInt32());
        Assert.Equal(Stub.Text, root.GetProperty("output")[0].GetProperty("content")[0].GetProperty("text").GetString());
        var usage = root.GetProperty("usage");
        Assert.Equal(1000, usage.GetProperty("input_tokens").GetInt64());
        Assert.Equal(200, usage.GetProperty("input_tokens_details").GetProperty("cached_tokens").GetInt64());
        Assert.Equal(500, usage.GetProperty("output_tokens").GetInt64());
        Assert.Equal(FixedCharge, usage.GetProperty("cost").GetDecimal());
        Assert.Equal(FixedCharge, Assert.Single(await _app.UsageAsync()).ChargedAmount);
        // The backend got a chat request: instructions as the system message, the cap as max_completion_tokens.
        var sent = Assert.Single(_stub.Received("main")).Body;
        Assert.Equal("system", sent["messages"]![0]!["role"]!.GetValue<string>());
        Assert.Equal(LongPrompt, sent["messages"]![1]!["content"]!.GetValue<string>());
        Assert.Equal(600, sent["max_completion_tokens"]!.GetValue<int>());
        Assert.Null(sent["input"]);
    }

    [Fact]
    public async Task PostResponses_Streaming_EveryEventMatchesSchemaAndCompletedCarriesCost()
    {
        _stub.On("main", Stub.Stream(Stub.Usage(1000, 500, cached: 200)));
        using var client = _app.ApiClient();

        using var response = await client.PostAsync("/v1/responses", JsonBody($$"""{"model":"up-chat","input":"{{LongPrompt}}","stream":true}"""));

        var events = Sse.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(
            ["response.created", "response.in_progress", "response.output_item.added", "response.content_part.added"],
            events.Take(4).Select(e => e.Event));
        Assert.Equal(["response.output_text.done", "response.content_part.done", "response.output_item.done", "response.completed"],
            events.TakeLast(4).Select(e => e.Event));
        var sequence = 0;
        foreach (var e in events)
        {
            OpenAiSchemas.AssertValid(EventSchemas[e.Event!], e.Data);
            using var data = JsonDocument.Parse(e.Data);
            Assert.Equal(e.Event, data.RootElement.GetProperty("type").GetString());
            Assert.Equal(sequence++, data.RootElement.GetProperty("sequence_number").GetInt32());
        }
        var deltas = string.Concat(events.Where(e => e.Event == "response.output_text.delta")
            .Select(e => JsonDocument.Parse(e.Data).RootElement.GetProperty("delta").GetString()));
        Assert.Equal(string.Concat(Stub.Pieces), deltas);
        using var completed = JsonDocument.Parse(events[^1].Data);
        var usage = completed.RootElement.GetProperty("response").GetProperty("usage");
        Assert.Equal(1000, usage.GetProperty("input_tokens").GetInt64());
        Assert.Equal(FixedCharge, usage.GetProperty("cost").GetDecimal());
        var recorded = Assert.Single(await _app.UsageAsync());
        Assert.Equal(FixedCharge, recorded.ChargedAmount);
        Assert.True(recorded.Streamed);
        Assert.True(Assert.Single(_stub.Received("main")).Body["stream_options"]!["include_usage"]!.GetValue<bool>());
    }

    [Fact]
    public async Task CreateResponse_ToolCallAndOutput_SdkSeesFunctionCallAndBackendGetsToolMessages()
    {
        _stub.On("main", Stub.ToolCall("call_9", "get_weather", """{"city":"Lyon"}"""));
        var client = _app.OpenAi().GetResponsesClient();
        var options = new CreateResponseOptions
        {
            Model = "up-chat",
            Tools = { ResponseTool.CreateFunctionTool("get_weather", BinaryData.FromString("""{"type":"object","properties":{"city":{"type":"string"}}}"""), strictModeEnabled: false) },
        };
        options.InputItems.Add(ResponseItem.CreateUserMessageItem("Weather in Paris?"));
        options.InputItems.Add(ResponseItem.CreateFunctionCallItem("call_1", "get_weather", BinaryData.FromString("""{"city":"Paris"}""")));
        options.InputItems.Add(ResponseItem.CreateFunctionCallOutputItem("call_1", "18 C and sunny"));

        ResponseResult response = await client.CreateResponseAsync(options);

        var call = Assert.IsType<FunctionCallResponseItem>(Assert.Single(response.OutputItems));
        Assert.Equal("get_weather", call.FunctionName);
        Assert.Equal("call_9", call.CallId);
        Assert.Equal("""{"city":"Lyon"}""", call.FunctionArguments.ToString());
        var sent = Assert.Single(_stub.Received("main")).Body;
        var messages = sent["messages"]!.AsArray();
        Assert.Equal(["user", "assistant", "tool"], messages.Select(m => m!["role"]!.GetValue<string>()));
        Assert.Equal("call_1", messages[1]!["tool_calls"]![0]!["id"]!.GetValue<string>());
        Assert.Equal("call_1", messages[2]!["tool_call_id"]!.GetValue<string>());
        Assert.Equal("get_weather", sent["tools"]![0]!["function"]!["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task PostResponses_StreamedToolCall_FunctionCallEventsMatchSchema()
    {
        _stub.On("main", Stub.Events(
            """{"id":"c1","object":"chat.completion.chunk","created":1700000000,"model":"up-model","choices":[{"index":0,"delta":{"role":"assistant","tool_calls":[{"index":0,"id":"call_7","type":"function","function":{"name":"get_weather","arguments":""}}]},"finish_reason":null}]}""",
            """{"id":"c1","object":"chat.completion.chunk","created":1700000000,"model":"up-model","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"city\":"}}]},"finish_reason":null}]}""",
            """{"id":"c1","object":"chat.completion.chunk","created":1700000000,"model":"up-model","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"\"Lyon\"}"}}]},"finish_reason":"tool_calls"}]}""",
            """{"id":"c1","object":"chat.completion.chunk","created":1700000000,"model":"up-model","choices":[],"usage":{"prompt_tokens":30,"completion_tokens":10,"total_tokens":40}}"""));
        using var client = _app.ApiClient();

        using var response = await client.PostAsync("/v1/responses", JsonBody(
            """{"model":"up-chat","stream":true,"input":"Weather?","tools":[{"type":"function","name":"get_weather","parameters":{"type":"object"}}]}"""));

        var events = Sse.Parse(await response.Content.ReadAsStringAsync());
        foreach (var e in events) OpenAiSchemas.AssertValid(EventSchemas[e.Event!], e.Data);
        Assert.Equal(["response.created", "response.in_progress", "response.output_item.added", "response.function_call_arguments.delta",
            "response.function_call_arguments.delta", "response.function_call_arguments.done", "response.output_item.done", "response.completed"], events.Select(e => e.Event));
        using var done = JsonDocument.Parse(events.Single(e => e.Event == "response.function_call_arguments.done").Data);
        Assert.Equal("""{"city":"Lyon"}""", done.RootElement.GetProperty("arguments").GetString());
        using var completed = JsonDocument.Parse(events[^1].Data);
        var item = Assert.Single(completed.RootElement.GetProperty("response").GetProperty("output").EnumerateArray());
        Assert.Equal("call_7", item.GetProperty("call_id").GetString());
        Assert.Equal(10, Assert.Single(await _app.UsageAsync()).Tokens.OutputTokens);
    }

    [Fact]
    public async Task PostResponses_BackendBreaksMidStream_EndsWithErrorEventAndBillsWhatWasForwarded()
    {
        _stub.On("main", Stub.RawStream("data: " + Stub.ChunkJson("Hello") + "\n\n" + "data: " + Stub.ChunkJson(" there") + "\n\n" + "event: error\ndata: {\"error\":{\"message\":\"boom\"}}\n\n"));
        using var client = _app.ApiClient();

        using var response = await client.PostAsync("/v1/responses", JsonBody("""{"model":"up-chat","stream":true,"input":"hi"}"""));

        var events = Sse.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("error", events[^1].Event);
        OpenAiSchemas.AssertValid("ResponseErrorEvent", events[^1].Data);
        Assert.DoesNotContain(events, e => e.Event == "response.completed");
        var recorded = Assert.Single(await _app.UsageAsync());
        Assert.Equal(UsageStatus.UpstreamFailed, recorded.Status);
        Assert.True(recorded.Tokens.OutputTokens > 0);
    }

    [Theory]
    [InlineData("""{"model":"tg-mini","input":"hi","store":true}""", "store")]
    [InlineData("""{"model":"tg-mini","input":"hi","previous_response_id":"resp_1"}""", "previous_response_id")]
    [InlineData("""{"model":"tg-mini","input":"hi","conversation":"conv_1"}""", "conversation")]
    [InlineData("""{"model":"tg-mini","input":"hi","background":true}""", "background")]
    [InlineData("""{"model":"tg-mini"}""", "input")]
    [InlineData("""{"model":"tg-mini","input":42}""", "input")]
    [InlineData("""{"model":"tg-mini","input":[]}""", "input")]
    [InlineData("""{"model":"tg-mini","input":["hi"]}""", "input[0]")]
    [InlineData("""{"model":"tg-mini","input":"hi","max_output_tokens":"ten"}""", "max_output_tokens")]
    [InlineData("""{"model":"tg-mini","input":"hi","max_output_tokens":0}""", "max_output_tokens")]
    [InlineData("""{"model":"tg-mini","input":"hi","max_output_tokens":999999}""", "max_output_tokens")]
    [InlineData("""{"model":"tg-mini","input":"hi","temperature":"hot"}""", "temperature")]
    [InlineData("""{"model":"tg-mini","input":"hi","stream":"yes"}""", "stream")]
    [InlineData("""{"model":"tg-mini","input":"hi","tools":[{"type":"web_search"}]}""", "tools[0].type")]
    [InlineData("""{"model":"tg-mini","input":"hi","instructions":7}""", "instructions")]
    [InlineData("""{"model":"tg-mini","input":[{"role":"user","content":[{"type":"input_file","file_id":"f"}]}]}""", "input[0].content[0]")]
    [InlineData("""{"model":"tg-mini","input":[{"type":"item_reference","id":"msg_1"}]}""", "input[0].type")]
    [InlineData("""{"input":"hi"}""", "model")]
    public async Task PostResponses_HostileOrStatefulInput_Returns400NamingTheField(string body, string param)
    {
        using var client = _app.ApiClient();

        using var response = await client.PostAsync("/v1/responses", JsonBody(body));

        await AssertErrorAsync(response, HttpStatusCode.BadRequest, (await ErrorCodeAsync(response)), param);
        Assert.Empty(await _app.UsageAsync());
    }

    [Fact]
    public async Task CreateResponse_Errors_SdkSeesOpenAiShapesFor401And403And404And429()
    {
        var badKey = await Assert.ThrowsAsync<ClientResultException>(() =>
            _app.OpenAi("tg_000000000000_0000000000000000000000000000000000000000").GetResponsesClient().CreateResponseAsync("tg-mini", "hi"));
        var gated = await Assert.ThrowsAsync<ClientResultException>(() => _app.OpenAi().GetResponsesClient().CreateResponseAsync("tg-flagship", "hi"));
        var missing = await Assert.ThrowsAsync<ClientResultException>(() => _app.OpenAi().GetResponsesClient().CreateResponseAsync("no-such-model", "hi"));
        var broke = await _app.CreateUnfundedKeyAsync();
        var quota = await Assert.ThrowsAsync<ClientResultException>(() => _app.OpenAi(broke).GetResponsesClient().CreateResponseAsync("tg-mini", "hi"));

        AssertError(badKey, HttpStatusCode.Unauthorized, "invalid_api_key");
        AssertError(gated, HttpStatusCode.Forbidden, "model_gated", "model");
        AssertError(missing, HttpStatusCode.NotFound, "model_not_found", "model");
        AssertError(quota, HttpStatusCode.TooManyRequests, "insufficient_quota", type: "insufficient_quota");
        Assert.Empty(await _app.UsageAsync());
    }

    [Fact]
    public async Task GetResponse_AnyStoredResponse_Returns404ResponsesAreNotStored()
    {
        using var client = _app.ApiClient();

        using var response = await client.GetAsync("/v1/responses/resp_123");

        var error = await AssertErrorAsync(response, HttpStatusCode.NotFound, "response_storage_disabled");
        Assert.Contains("response storage is off", error.GetProperty("message").GetString());
    }

    /// <summary>Each stream event's own schema, so a failure names what is wrong rather than every event type it is not.</summary>
    private static readonly Dictionary<string, string> EventSchemas = new()
    {
        ["response.created"] = "ResponseCreatedEvent",
        ["response.in_progress"] = "ResponseInProgressEvent",
        ["response.output_item.added"] = "ResponseOutputItemAddedEvent",
        ["response.content_part.added"] = "ResponseContentPartAddedEvent",
        ["response.output_text.delta"] = "ResponseTextDeltaEvent",
        ["response.output_text.done"] = "ResponseTextDoneEvent",
        ["response.content_part.done"] = "ResponseContentPartDoneEvent",
        ["response.output_item.done"] = "ResponseOutputItemDoneEvent",
        ["response.function_call_arguments.delta"] = "ResponseFunctionCallArgumentsDeltaEvent",
        ["response.function_call_arguments.done"] = "ResponseFunctionCallArgumentsDoneEvent",
        ["response.completed"] = "ResponseCompletedEvent",
        ["response.incomplete"] = "ResponseIncompleteEvent",
        ["error"] = "ResponseErrorEvent",
    };

    private static async Task<string?> ErrorCodeAsync(HttpResponseMessage response)
    {
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return body.RootElement.TryGetProperty("error", out var error) && error.TryGetProperty("code", out var code) ? code.GetString() : null;
    }
}
