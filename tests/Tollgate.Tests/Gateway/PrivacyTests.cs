using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using OpenAI.Chat;
using Tollgate.Storage;
using Tollgate.Tests.Infrastructure;
using static Tollgate.Tests.Infrastructure.TollgateCalls;

namespace Tollgate.Tests.Gateway;

/// <summary>No prompt text at rest or in logs; a client that leaves mid-stream makes no error noise and is still metered.</summary>
public sealed class PrivacyTests : IAsyncLifetime
{
    private readonly TollgateFactory _app = new() { KeepDataDir = true };
    private readonly string _canary = "canary" + Guid.NewGuid().ToString("N");
    private StubUpstream _stub = null!;

    public async Task InitializeAsync() => _stub = await StubUpstream.StartAsync();

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _stub.DisposeAsync();
        if (Directory.Exists(_app.DataDir)) Directory.Delete(_app.DataDir, recursive: true);
    }

    [Fact]
    public async Task Requests_PromptHoldsCanary_CanaryNowhereInDataFilesOrLogs()
    {
        await SendCanaryEverywhereAsync();
        var requestIds = (await _app.UsageAsync()).Select(u => u.RequestId).ToList();
        Assert.True(requestIds.Count >= 6, $"only {requestIds.Count} requests were metered");
        // The canary did leave the gateway, so finding it nowhere below means something.
        Assert.Contains(_stub.Received("ok"), r => r.Body.ToJsonString().Contains(_canary, StringComparison.Ordinal));

        var whileRunning = ReadDataFiles();
        await _app.DisposeAsync();
        var afterStop = ReadDataFiles();

        foreach (var (file, bytes) in whileRunning.Concat(afterStop))
            Assert.False(Contains(bytes, _canary), $"The prompt's canary is stored in {file}.");
        // The scan reads what is stored: every metered request id is found in the files.
        Assert.All(requestIds, id => Assert.Contains(afterStop, f => Contains(f.Bytes, id)));
        Assert.NotEmpty(_app.Logs.Lines);
        Assert.DoesNotContain(_app.Logs.Lines, line => line.Contains(_canary, StringComparison.Ordinal));
    }

    public static TheoryData<string> Backends => ["simulator", "open_ai"];

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task PostChatStream_ClientCancelsMidStream_NoErrorLoggedAndForwardedTokensMetered(string backend)
    {
        var model = await StreamingModelAsync(backend);
        using var client = _app.ApiClient();
        using var cancel = new CancellationTokenSource();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = JsonBody($$"""{"model":"{{model}}","stream":true,"max_tokens":200,"messages":[{"role":"user","content":"Write at length"}]}"""),
        };

        using (var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancel.Token))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var seen = 0;
            await foreach (var _ in Sse.ReadAsync(await response.Content.ReadAsStreamAsync(cancel.Token)))
            {
                if (++seen == 3) break;
            }
            await cancel.CancelAsync();
        }

        var usage = await _app.SingleUsageEventuallyAsync();
        Assert.Equal(UsageStatus.ClientCancelled, usage.Status);
        Assert.Equal(UsageSource.Tokenizer, usage.Source);
        Assert.True(usage.Tokens.OutputTokens > 0);
        Assert.True(usage.ChargedAmount > 0);
        await _app.DisposeAsync();
        Assert.DoesNotContain(_app.Logs.Lines, IsErrorLine);
    }

    [Fact]
    public async Task CompleteChatStreaming_SdkStopsReadingMidStream_NoErrorLoggedAndMetered()
    {
        var chat = _app.OpenAi().GetChatClient(await StreamingModelAsync("open_ai"));
        var updates = 0;

        await foreach (var _ in chat.CompleteChatStreamingAsync([new UserChatMessage("Write at length")]))
        {
            if (++updates == 3) break;
        }

        var usage = await _app.SingleUsageEventuallyAsync();
        Assert.Equal(UsageStatus.ClientCancelled, usage.Status);
        Assert.True(usage.Tokens.OutputTokens > 0);
        await _app.DisposeAsync();
        Assert.DoesNotContain(_app.Logs.Lines, IsErrorLine);
    }

    /// <summary>A model whose stream is still going when the client leaves: the simulator at 50 tokens/s, or a stub that stalls.</summary>
    private async Task<string> StreamingModelAsync(string backend)
    {
        if (backend == "open_ai")
        {
            _stub.On("endless", Stub.StreamThenStall(chunks: 5));
            await _app.PutUpstreamModelAsync("stub-endless", [_stub.BaseUrl("endless")]);
            return "stub-endless";
        }
        await _app.PutModelAsync("tg-slow", JsonNode.Parse("""
            {"kind":"chat","max_output_tokens":4000,"backends":[{"id":"tg-slow-sim","kind":"simulator","simulator_tokens_per_second":50}],
             "price":{"input":"1","output":"2"}}
            """)!.AsObject());
        return "tg-slow";
    }

    /// <summary>The canary in every place a prompt travels: chat (both ways, through both backend kinds), embeddings, failures.</summary>
    private async Task SendCanaryEverywhereAsync()
    {
        _stub.On("ok", Stub.Completion(Stub.Usage(12, 9)));
        _stub.On("stream", Stub.Stream(usage: null));
        _stub.On("refuses", Stub.ClientError(400));
        _stub.On("breaks", Stub.Events(Stub.ChunkJson("Hi"), "not json"));
        _stub.On("absurd", Stub.Completion(Stub.Usage(-1, 9)));
        await _app.PutUpstreamModelAsync("stub-ok", [StubUpstream.ClosedBaseUrl(), _stub.BaseUrl("ok")]);
        await _app.PutUpstreamModelAsync("stub-stream", [_stub.BaseUrl("stream")]);
        await _app.PutUpstreamModelAsync("stub-refuses", [_stub.BaseUrl("refuses")]);
        await _app.PutUpstreamModelAsync("stub-breaks", [_stub.BaseUrl("breaks")]);
        await _app.PutUpstreamModelAsync("stub-absurd", [_stub.BaseUrl("absurd")]);

        var prompt = $"My secret is {_canary}. Repeat it: {_canary}";
        var sdk = _app.OpenAi();
        await sdk.GetChatClient("tg-mini").CompleteChatAsync([new SystemChatMessage(_canary), new UserChatMessage(prompt)]);
        await foreach (var _ in sdk.GetChatClient("tg-pro").CompleteChatStreamingAsync([new UserChatMessage(prompt)]))
        {
        }
        await sdk.GetEmbeddingClient("tg-embed").GenerateEmbeddingsAsync([prompt, _canary]);

        using var client = _app.ApiClient();
        var messages = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = prompt }).ToJsonString();
        (string Model, string Extra)[] calls =
        [
            ("stub-ok", ""), ("stub-stream", ",\"stream\":true"), ("stub-refuses", ""), ("stub-breaks", ",\"stream\":true"),
            ("stub-absurd", ""), ("tg-mini", ",\"max_tokens\":-1"), ("no-such-model", ""), ("tg-flagship", ""), (_canary, ""),
        ];
        foreach (var (model, extra) in calls)
        {
            using var response = await client.PostAsync("/v1/chat/completions", JsonBody($$"""{"model":"{{model}}","messages":{{messages}}{{extra}},"user":"{{_canary}}"}"""));
            await response.Content.ReadAsStringAsync();
        }
    }

    /// <summary>Every file of the data directory (database, WAL, shared memory, keys, credentials), read while others may hold it open.</summary>
    private List<(string File, byte[] Bytes)> ReadDataFiles()
    {
        var files = Security.DataFiles.Read(_app.DataDir);
        Assert.Contains(files, f => _app.DatabasePath.EndsWith(f.File, StringComparison.Ordinal));
        return files;
    }

    private static bool Contains(byte[] haystack, string text) =>
        haystack.AsSpan().IndexOf(Encoding.UTF8.GetBytes(text)) >= 0 || haystack.AsSpan().IndexOf(Encoding.Unicode.GetBytes(text)) >= 0;

    private static bool IsErrorLine(string line) => line.StartsWith("Error ", StringComparison.Ordinal) || line.StartsWith("Critical ", StringComparison.Ordinal);
}
