using System.ClientModel;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using OpenAI.Chat;
using Tollgate.Storage;
using Tollgate.Tests.Infrastructure;
using Tollgate.Tokenization;
using static Tollgate.Tests.Infrastructure.TollgateCalls;

namespace Tollgate.Tests.Upstreams;

/// <summary>The <c>open_ai</c> backend kind against a real stub server on loopback, driven through the gateway.</summary>
public sealed class OpenAiBackendTests : TollgateTestBase
{
    private const string Model = "stub-chat";
    private const string ChatBody = """{"model":"stub-chat","messages":[{"role":"user","content":"Say something short"}]}""";
    private const string StreamBody = """{"model":"stub-chat","stream":true,"messages":[{"role":"user","content":"Say something short"}]}""";

    private StubUpstream _stub = null!;

    public override async Task InitializeAsync() => _stub = await StubUpstream.StartAsync();

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await _stub.DisposeAsync();
    }

    public static TheoryData<string> FailuresThatFallThrough => ["refused", "500", "503", "slow-first-byte", "malformed", "ok-with-error"];

    [Theory]
    [MemberData(nameof(FailuresThatFallThrough))]
    public async Task CompleteChat_FirstBackendFails_SecondBackendServesAndIsBilled(string failure)
    {
        var first = failure == "refused" ? StubUpstream.ClosedBaseUrl() : _stub.BaseUrl("first");
        _stub.On("first", failure switch
        {
            "500" => Stub.Status(500),
            "503" => Stub.Status(503),
            "slow-first-byte" => Stub.Stall(),
            "malformed" => Stub.Malformed(),
            "ok-with-error" => Stub.OkWithError(),
            _ => Stub.Status(500),
        });
        _stub.On("second", Stub.Completion(Stub.Usage(12, 9)));
        await App.PutUpstreamModelAsync(Model, [first, _stub.BaseUrl("second")], firstByteTimeouts: [1, 15]);

        ChatCompletion completion = await App.OpenAi().GetChatClient(Model).CompleteChatAsync([new UserChatMessage("Say something short")]);

        Assert.Equal(Stub.Text, completion.Content[0].Text);
        Assert.Equal(Model, completion.Model);
        Assert.Single(_stub.Received("second"));
        var usage = Assert.Single(await App.UsageAsync());
        Assert.Equal(BackendId(Model, 1), usage.BackendId);
        Assert.Equal(UsageSource.Backend, usage.Source);
        Assert.Equal((12, 9), (usage.Tokens.InputTokens, usage.Tokens.OutputTokens));
        // $1 in and $2 out per million; the backend costs $0.1 and $0.2.
        Assert.Equal(12 * 1m / 1_000_000 + 9 * 2m / 1_000_000, usage.ChargedAmount);
        Assert.Equal(12 * 0.1m / 1_000_000 + 9 * 0.2m / 1_000_000, usage.CostToServe);
    }

    [Theory]
    [InlineData(400)]
    [InlineData(404)]
    [InlineData(422)]
    public async Task PostChat_BackendAnswers4xx_PassedThroughAsIsWithoutFallbackOrUsage(int status)
    {
        _stub.On("first", Stub.ClientError(status));
        _stub.On("second", Stub.Completion(Stub.Usage(12, 9)));
        await App.PutUpstreamModelAsync(Model, [_stub.BaseUrl("first"), _stub.BaseUrl("second")]);
        using var client = App.ApiClient();

        using var response = await client.PostAsync("/v1/chat/completions", JsonBody(ChatBody));

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal(Stub.ClientErrorBody, await response.Content.ReadAsStringAsync());
        Assert.Empty(_stub.Received("second"));
        Assert.Empty(await App.UsageAsync());
    }

    [Fact]
    public async Task CompleteChat_BackendAnswers4xx_SdkSeesTheBackendsError()
    {
        _stub.On("first", Stub.ClientError(400));
        await App.PutUpstreamModelAsync(Model, [_stub.BaseUrl("first")]);

        var error = await Assert.ThrowsAsync<ClientResultException>(() =>
            App.OpenAi().GetChatClient(Model).CompleteChatAsync([new UserChatMessage("hi")]));

        Assert.Equal(400, error.Status);
        Assert.Contains("context_length_exceeded", error.GetRawResponse()!.Content.ToString());
    }

    /// <summary>Usage blocks the meter must not trust; "missing" sends none.</summary>
    public static TheoryData<string> UntrustworthyUsages =>
    [
        "missing",
        """{"prompt_tokens":-5,"completion_tokens":9,"total_tokens":4}""",
        """{"prompt_tokens":12,"completion_tokens":-1,"total_tokens":11}""",
        """{"prompt_tokens":1000000000,"completion_tokens":9,"total_tokens":1000000009}""",
        """{"prompt_tokens":12,"completion_tokens":900000,"total_tokens":900012}""",
        """{"prompt_tokens":12,"completion_tokens":9,"total_tokens":21,"prompt_tokens_details":{"cached_tokens":50}}""",
        """{"prompt_tokens":1e30,"completion_tokens":9,"total_tokens":1e30}""",
        """{"prompt_tokens":0,"completion_tokens":0,"total_tokens":0}""",
        """{"prompt_tokens":"12","completion_tokens":"9"}""",
        """{"prompt_tokens":12,"completion_tokens":"9"}""",
        """{"prompt_tokens":12,"completion_tokens":{"text":9}}""",
    ];

    [Theory]
    [MemberData(nameof(UntrustworthyUsages))]
    public async Task PostChat_UsageMissingOrAbsurd_BilledByTokenizerCount(string usageJson)
    {
        _stub.On("first", Stub.Completion(usageJson == "missing" ? null : JsonNode.Parse(usageJson)!.AsObject()));
        await App.PutUpstreamModelAsync(Model, [_stub.BaseUrl("first")]);
        using var client = App.ApiClient();

        using var response = await client.PostAsync("/v1/chat/completions", JsonBody(ChatBody));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var usage = Assert.Single(await App.UsageAsync());
        Assert.Equal(UsageSource.Tokenizer, usage.Source);
        Assert.InRange(usage.Tokens.InputTokens, 1, 100);
        Assert.Equal(Tokens(Stub.Text), usage.Tokens.OutputTokens);
        Assert.Equal(0, usage.Tokens.CachedInputTokens);
        Assert.True(usage.ChargedAmount > 0);
        await AssertResponseShowsBilledUsageAsync(response, usage);
    }

    [Fact]
    public async Task PostChatStream_BackendCutsMidStream_ClientGetsErrorEventAndForwardedTokensAreBilled()
    {
        var cut = new TaskCompletionSource();
        _stub.On("first", Stub.StreamThenDisconnect(chunks: 4, cut.Task));
        _stub.On("second", Stub.Stream(Stub.Usage(12, 9)));
        await App.PutUpstreamModelAsync(Model, [_stub.BaseUrl("first"), _stub.BaseUrl("second")]);
        using var client = App.ApiClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = JsonBody(StreamBody) };

        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var events = new List<SseEvent>();
        await foreach (var received in Sse.ReadAsync(await response.Content.ReadAsStreamAsync()))
        {
            events.Add(received);
            if (events.Count == 4) cut.TrySetResult();
        }

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(5, events.Count);
        var last = events[^1];
        Assert.Equal("error", last.Event);
        using (var error = JsonDocument.Parse(last.Data))
        {
            Assert.Equal("server_error", error.RootElement.GetProperty("error").GetProperty("type").GetString());
        }
        // Once bytes reached the client the request cannot move to another backend.
        Assert.Empty(_stub.Received("second"));
        var usage = Assert.Single(await App.UsageAsync());
        Assert.Equal(UsageStatus.UpstreamFailed, usage.Status);
        Assert.Equal(UsageSource.Tokenizer, usage.Source);
        Assert.True(usage.Streamed);
        Assert.Equal(Tokens(string.Concat(Stub.Pieces.Take(4))), usage.Tokens.OutputTokens);
        Assert.True(usage.ChargedAmount > 0);
    }

    /// <summary>How OpenAI-compatible servers report a failure inside a stream that has already started.</summary>
    private const string StreamedError = """{"error":{"message":"The server is overloaded.","type":"server_error","param":null,"code":null}}""";

    [Theory]
    [InlineData("not json at all", false)]
    [InlineData("[1,2,3]", false)]
    [InlineData("42", false)]
    [InlineData(StreamedError, false)]
    [InlineData(StreamedError, true)]
    public async Task PostChatStream_LaterEventNotAChunk_ErrorEventAndForwardedTokensBilled(string garbage, bool asErrorEvent)
    {
        var hello = $"data: {Stub.ChunkJson("Hello there")}\n\n";
        var failure = asErrorEvent ? $"event: error\ndata: {garbage}\n\n" : $"data: {garbage}\n\n";
        _stub.On("first", Stub.RawStream(hello + failure + $"data: {Stub.ChunkJson(" never relayed")}\n\ndata: [DONE]\n\n"));
        await App.PutUpstreamModelAsync(Model, [_stub.BaseUrl("first")]);
        using var client = App.ApiClient();

        using var response = await client.PostAsync("/v1/chat/completions", JsonBody(StreamBody));
        var events = Sse.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal([null, "error"], events.Select(e => e.Event));
        var usage = Assert.Single(await App.UsageAsync());
        Assert.Equal((UsageStatus.UpstreamFailed, UsageSource.Tokenizer), (usage.Status, usage.Source));
        Assert.Equal(Tokens("Hello there"), usage.Tokens.OutputTokens);
    }

    [Fact]
    public async Task PostChatStream_ChunkFieldsOfUnexpectedTypes_RelayedWholeAndMetered()
    {
        var odd = JsonNode.Parse(Stub.ChunkJson("Hello there"))!.AsObject();
        odd["created"] = "yesterday";
        odd["id"] = 7;
        var oddUsage = JsonNode.Parse(Stub.ChunkJson(" again"))!.AsObject();
        oddUsage["usage"] = JsonNode.Parse("""{"prompt_tokens":12,"completion_tokens":"many"}""");
        _stub.On("first", Stub.Events(odd.ToJsonString(), oddUsage.ToJsonString()));
        await App.PutUpstreamModelAsync(Model, [_stub.BaseUrl("first")]);
        using var client = App.ApiClient();

        using var response = await client.PostAsync("/v1/chat/completions",
            JsonBody("""{"model":"stub-chat","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"hi"}]}"""));
        var sse = await response.Content.ReadAsStringAsync();

        Assert.Equal("Hello there again", ContentOf(sse));
        Assert.EndsWith("data: [DONE]\n\n", sse);
        var usage = Assert.Single(await App.UsageAsync());
        Assert.Equal((UsageStatus.Completed, UsageSource.Tokenizer), (usage.Status, usage.Source));
        Assert.Equal(Tokens("Hello there again"), usage.Tokens.OutputTokens);
    }

    /// <summary>Until a stream's first event is relayed nothing has reached the client, so any failure falls through.</summary>
    [Theory]
    [InlineData("headers then disconnect")]
    [InlineData("headers then silence")]
    [InlineData("not json at all")]
    [InlineData("[1,2,3]")]
    [InlineData("\"a string\"")]
    [InlineData(StreamedError)]
    [InlineData("event: error")]
    public async Task PostChatStream_FirstStreamFailsBeforeFirstEvent_SecondBackendServes(string failure)
    {
        _stub.On("first", failure switch
        {
            "headers then disconnect" => Stub.StreamHeadersThenDisconnect(),
            "headers then silence" => Stub.StreamThenStall(chunks: 0),
            "event: error" => Stub.RawStream($"event: error\ndata: {StreamedError}\n\n"),
            _ => Stub.Events(failure, Stub.ChunkJson("never relayed")),
        });
        _stub.On("second", Stub.Stream(Stub.Usage(12, 9)));
        await App.PutUpstreamModelAsync(Model, [_stub.BaseUrl("first"), _stub.BaseUrl("second")], firstByteTimeouts: [1, 15]);
        using var client = App.ApiClient();

        using var response = await client.PostAsync("/v1/chat/completions", JsonBody(StreamBody));
        var sse = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(string.Concat(Stub.Pieces), ContentOf(sse));
        Assert.EndsWith("data: [DONE]\n\n", sse);
        var usage = Assert.Single(await App.UsageAsync());
        Assert.Equal(BackendId(Model, 1), usage.BackendId);
        Assert.Equal((UsageStatus.Completed, UsageSource.Backend, 9L), (usage.Status, usage.Source, usage.Tokens.OutputTokens));
    }

    [Fact]
    public async Task PostChatStream_UsageChunkMissing_ClientGetsCountedUsageAndTokenizerBills()
    {
        _stub.On("first", Stub.Stream(usage: null));
        await App.PutUpstreamModelAsync(Model, [_stub.BaseUrl("first")]);
        using var client = App.ApiClient();

        using var response = await client.PostAsync("/v1/chat/completions",
            JsonBody("""{"model":"stub-chat","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"Say something short"}]}"""));
        var chunks = Sse.Chunks(await response.Content.ReadAsStringAsync());

        var usage = Assert.Single(await App.UsageAsync());
        Assert.Equal((UsageStatus.Completed, UsageSource.Tokenizer), (usage.Status, usage.Source));
        Assert.True(usage.Tokens.InputTokens > 0);
        Assert.Equal(Tokens(string.Concat(Stub.Pieces)), usage.Tokens.OutputTokens);
        using var tail = JsonDocument.Parse(chunks[^1]);
        Assert.Equal(0, tail.RootElement.GetProperty("choices").GetArrayLength());
        Assert.Equal(usage.Tokens.OutputTokens, tail.RootElement.GetProperty("usage").GetProperty("completion_tokens").GetInt64());
        Assert.Equal(usage.ChargedAmount, tail.RootElement.GetProperty("usage").GetProperty("cost").GetDecimal());
    }

    [Theory]
    [InlineData("refused")]
    [InlineData("503")]
    [InlineData("malformed")]
    public async Task PostChat_AllBackendsFail_Returns502(string failure)
    {
        _stub.On("first", Stub.Status(500));
        _stub.On("second", failure == "503" ? Stub.Status(503) : Stub.Malformed());
        var second = failure == "refused" ? StubUpstream.ClosedBaseUrl() : _stub.BaseUrl("second");
        await App.PutUpstreamModelAsync(Model, [_stub.BaseUrl("first"), second]);
        using var client = App.ApiClient();

        using var response = await client.PostAsync("/v1/chat/completions", JsonBody(ChatBody));

        await AssertErrorAsync(response, HttpStatusCode.BadGateway, "upstream_unavailable", type: "server_error");
        Assert.Empty(await App.UsageAsync());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task PostChat_LastBackendTimesOut_Returns504(bool stream)
    {
        _stub.On("first", Stub.Status(500));
        _stub.On("second", Stub.Stall());
        await App.PutUpstreamModelAsync(Model, [_stub.BaseUrl("first"), _stub.BaseUrl("second")], firstByteTimeouts: [15, 1]);
        using var client = App.ApiClient();

        using var response = await client.PostAsync("/v1/chat/completions", JsonBody(stream ? StreamBody : ChatBody));

        await AssertErrorAsync(response, HttpStatusCode.GatewayTimeout, "upstream_timeout", type: "server_error");
        Assert.Empty(await App.UsageAsync());
    }

    [Fact]
    public async Task PostChatStream_LastStreamSendsNoEventInTime_Returns504()
    {
        _stub.On("first", Stub.StreamThenStall(chunks: 0));
        await App.PutUpstreamModelAsync(Model, [_stub.BaseUrl("first")], firstByteTimeouts: [1]);
        using var client = App.ApiClient();
        client.Timeout = TimeSpan.FromSeconds(30);

        using var response = await client.PostAsync("/v1/chat/completions", JsonBody(StreamBody));

        await AssertErrorAsync(response, HttpStatusCode.GatewayTimeout, "upstream_timeout", type: "server_error");
    }

    [Fact]
    public async Task PostChat_BackendWithApiKeyEnv_SendsThatKeyUpstreamNeverTheClients()
    {
        // A variable declared for upstream use, bound to the stub's host.
        var variable = "UPSTREAM_TEST_KEY_" + Guid.NewGuid().ToString("N");
        App.Configuration[$"Upstreams:Credentials:{variable}:Hosts:0"] = "127.0.0.1";
        Environment.SetEnvironmentVariable(variable, "sk-upstream-secret");
        try
        {
            _stub.On("keyed", Stub.Completion(Stub.Usage(12, 9)));
            _stub.On("open", Stub.Completion(Stub.Usage(12, 9)));
            await App.PutModelAsync("stub-keyed", JsonNode.Parse($$"""
                {"kind":"chat","price":{"input":"1","output":"2"},
                 "backends":[{"id":"stub-keyed-b1","kind":"open_ai","base_url":"{{_stub.BaseUrl("keyed")}}","api_key_env":"{{variable}}"}]}
                """)!.AsObject());
            await App.PutUpstreamModelAsync(Model, [_stub.BaseUrl("open")]);
            using var client = App.ApiClient();

            using var keyed = await client.PostAsync("/v1/chat/completions", JsonBody("""{"model":"stub-keyed","messages":[{"role":"user","content":"hi"}]}"""));
            using var open = await client.PostAsync("/v1/chat/completions", JsonBody(ChatBody));

            Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (keyed.StatusCode, open.StatusCode));
            Assert.Equal("Bearer sk-upstream-secret", Assert.Single(_stub.Received("keyed")).Headers["Authorization"]);
            Assert.False(Assert.Single(_stub.Received("open")).Headers.ContainsKey("Authorization"));
            Assert.All(_stub.Received("keyed").Concat(_stub.Received("open")).SelectMany(r => r.Headers.Values),
                value => Assert.DoesNotContain(App.DemoApiKey, value));
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    /// <summary>Every field of a rich request, as a client would send it.</summary>
    private const string RichFields = """
        "messages":[{"role":"system","content":"Be brief — \"quoted\" <b>&amp;</b> ünïcödé 🚀"},{"role":"user","content":[{"type":"text","text":"Hi"}]}],
        "temperature":0.25,"top_p":0.9,"seed":42,"user":"end-user-7","n":1,"stop":["\n\n"],
        "presence_penalty":0.5,"logit_bias":{"50256":-100},"response_format":{"type":"json_object"},
        "tools":[{"type":"function","function":{"name":"lookup","parameters":{"type":"object","properties":{"q":{"type":"string"}}}}}],
        "tool_choice":"auto","parallel_tool_calls":false,"metadata":{"team":"x"},"vendor_extension":{"nested":[1,2.50,{"deep":null}]}
        """;

    [Fact]
    public async Task PostChat_NonStreaming_RewritesOnlyModelAndCapAndAddsNoStreamOptions()
    {
        _stub.On("first", Stub.Completion(Stub.Usage(12, 9)));
        await App.PutUpstreamModelAsync(Model, [_stub.BaseUrl("first")]);
        using var client = App.ApiClient();
        var sent = JsonNode.Parse($$"""{"model":"stub-chat","max_tokens":100,{{RichFields}}}""")!.AsObject();

        using var response = await client.PostAsync("/v1/chat/completions", JsonBody(sent.ToJsonString()));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var forwarded = Assert.Single(_stub.Received("first"));
        Assert.EndsWith("/v1/chat/completions", forwarded.Path);
        var body = forwarded.Body;
        Assert.Equal("up-model", body["model"]!.GetValue<string>());
        Assert.Equal(100, body["max_completion_tokens"]!.GetValue<int>());
        Assert.False(body.ContainsKey("max_tokens"));
        Assert.False(body.ContainsKey("stream_options"));
        AssertUntouched(sent, body, "model", "max_tokens", "max_completion_tokens");
    }

    [Fact]
    public async Task PostChatStream_AddsIncludeUsageKeepsOtherStreamOptionsAndRewritesNothingElse()
    {
        _stub.On("first", Stub.Stream(Stub.Usage(12, 9)));
        await App.PutUpstreamModelAsync(Model, [_stub.BaseUrl("first")]);
        using var client = App.ApiClient();
        var sent = JsonNode.Parse($$"""{"model":"stub-chat","stream":true,"stream_options":{"include_obfuscation":false},"max_completion_tokens":64,{{RichFields}}}""")!.AsObject();

        using var response = await client.PostAsync("/v1/chat/completions", JsonBody(sent.ToJsonString()));
        var sse = await response.Content.ReadAsStringAsync();

        Assert.DoesNotContain("\"usage\"", sse);
        var body = Assert.Single(_stub.Received("first")).Body;
        Assert.Equal("up-model", body["model"]!.GetValue<string>());
        Assert.Equal(64, body["max_completion_tokens"]!.GetValue<int>());
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"include_obfuscation":false,"include_usage":true}"""), body["stream_options"]),
            body["stream_options"]?.ToJsonString());
        AssertUntouched(sent, body, "model", "max_completion_tokens", "stream_options");
    }

    /// <summary>The cap is the client's smaller one, else the model's maximum (256), in the one field this backend reads.</summary>
    [Theory]
    [InlineData(null, ChatBody, "max_completion_tokens", 256, "max_tokens")]
    [InlineData("max_tokens", ChatBody, "max_tokens", 256, "max_completion_tokens")]
    [InlineData(null, """{"model":"stub-chat","max_tokens":50,"max_completion_tokens":80,"messages":[{"role":"user","content":"hi"}]}""",
        "max_completion_tokens", 50, "max_tokens")]
    [InlineData("max_tokens", """{"model":"stub-chat","max_completion_tokens":80,"messages":[{"role":"user","content":"hi"}]}""",
        "max_tokens", 80, "max_completion_tokens")]
    public async Task PostChat_OutputCap_SentOnceInTheBackendsField(string? capParameter, string request, string field, int cap, string absent)
    {
        _stub.On("first", Stub.Completion(Stub.Usage(12, 9)));
        await App.PutUpstreamModelAsync(Model, [_stub.BaseUrl("first")], capParameter: capParameter);
        using var client = App.ApiClient();

        using var response = await client.PostAsync("/v1/chat/completions", JsonBody(request));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = Assert.Single(_stub.Received("first")).Body;
        Assert.Equal(cap, body[field]!.GetValue<int>());
        Assert.False(body.ContainsKey(absent));
    }

    [Fact]
    public async Task PostChat_ResponsesNameThePublicModel()
    {
        _stub.On("first", Stub.Completion(Stub.Usage(12, 9)));
        _stub.On("stream", Stub.Stream(Stub.Usage(12, 9)));
        await App.PutUpstreamModelAsync(Model, [_stub.BaseUrl("first")]);
        await App.PutUpstreamModelAsync("stub-stream", [_stub.BaseUrl("stream")]);
        using var client = App.ApiClient();

        using var complete = await client.PostAsync("/v1/chat/completions", JsonBody(ChatBody));
        using var stream = await client.PostAsync("/v1/chat/completions",
            JsonBody("""{"model":"stub-stream","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"hi"}]}"""));

        using (var json = JsonDocument.Parse(await complete.Content.ReadAsStringAsync()))
        {
            Assert.Equal(Model, json.RootElement.GetProperty("model").GetString());
        }
        var chunks = Sse.Chunks(await stream.Content.ReadAsStringAsync());
        Assert.Equal(Stub.Pieces.Length + 2, chunks.Count);
        foreach (var chunk in chunks)
        {
            using var json = JsonDocument.Parse(chunk);
            Assert.Equal("stub-stream", json.RootElement.GetProperty("model").GetString());
        }
        Assert.All(_stub.Received("first").Concat(_stub.Received("stream")), r => Assert.Equal("up-model", r.Body["model"]!.GetValue<string>()));
    }

    [Fact]
    public async Task PostEmbeddings_ForwardsWithoutChatRewritesAndBillsBackendUsage()
    {
        _stub.On("first", Stub.Embeddings(JsonNode.Parse("""{"prompt_tokens":3,"total_tokens":3}""")!.AsObject()));
        await App.PutUpstreamModelAsync("stub-embed", [_stub.BaseUrl("first")], kind: "embeddings");
        using var client = App.ApiClient();
        var sent = JsonNode.Parse("""{"model":"stub-embed","input":"three token text","encoding_format":"float","user":"u1"}""")!.AsObject();

        using var response = await client.PostAsync("/v1/embeddings", JsonBody(sent.ToJsonString()));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("stub-embed", json.RootElement.GetProperty("model").GetString());
        var forwarded = Assert.Single(_stub.Received("first"));
        Assert.EndsWith("/v1/embeddings", forwarded.Path);
        Assert.Equal("up-model", forwarded.Body["model"]!.GetValue<string>());
        AssertUntouched(sent, forwarded.Body, "model");
        var usage = Assert.Single(await App.UsageAsync());
        Assert.Equal((3L, 0L, UsageSource.Backend), (usage.Tokens.InputTokens, usage.Tokens.OutputTokens, usage.Source));
        Assert.Equal(3 * 1m / 1_000_000, usage.ChargedAmount);
    }

    /// <summary>Every field but the named ones arrives exactly as the client sent it, and no field is added.</summary>
    private static void AssertUntouched(JsonObject sent, JsonObject forwarded, params string[] rewritten)
    {
        var expected = (JsonObject)sent.DeepClone();
        var actual = (JsonObject)forwarded.DeepClone();
        foreach (var name in rewritten)
        {
            expected.Remove(name);
            actual.Remove(name);
        }
        Assert.True(JsonNode.DeepEquals(expected, actual), $"sent:      {expected.ToJsonString()}\nforwarded: {actual.ToJsonString()}");
    }

    /// <summary>The usage shown to the client is the usage billed, with <c>cost</c> the charged amount.</summary>
    private static async Task AssertResponseShowsBilledUsageAsync(HttpResponseMessage response, UsageEvent billed)
    {
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var usage = json.RootElement.GetProperty("usage");
        Assert.Equal(billed.Tokens.InputTokens, usage.GetProperty("prompt_tokens").GetInt64());
        Assert.Equal(billed.Tokens.OutputTokens, usage.GetProperty("completion_tokens").GetInt64());
        Assert.Equal(billed.Tokens.TotalTokens, usage.GetProperty("total_tokens").GetInt64());
        Assert.Equal(billed.Tokens.CachedInputTokens, usage.GetProperty("prompt_tokens_details").GetProperty("cached_tokens").GetInt64());
        Assert.Equal(billed.ChargedAmount, usage.GetProperty("cost").GetDecimal());
    }

    private static long Tokens(string text) => new TokenCounter().Count(TokenCounter.DefaultEncoding, text);

    private static string ContentOf(string sse) => string.Concat(Sse.Chunks(sse).Select(chunk =>
    {
        using var json = JsonDocument.Parse(chunk);
        return string.Concat(json.RootElement.GetProperty("choices").EnumerateArray()
            .Select(c => c.GetProperty("delta").TryGetProperty("content", out var content) ? content.GetString() : ""));
    }));
}
