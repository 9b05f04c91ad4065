using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Tollgate.Tests.Infrastructure;

/// <summary>How the stub answers one request; it gets the request's parsed body and the stub's stop signal.</summary>
internal delegate Task StubReply(HttpContext http, JsonObject body, CancellationToken stopping);

/// <summary>One request as the stub received it: the route (backend) it was sent to, its headers and its body.</summary>
internal sealed record StubRequest(string Route, string Path, IReadOnlyDictionary<string, string> Headers, JsonObject Body);

/// <summary>
/// A real OpenAI-compatible server on loopback (Kestrel, port chosen by the OS). Each route name is
/// one backend: <c>http://127.0.0.1:PORT/{route}/v1</c>, answering as the test told it to, and
/// keeping every request body it received so tests can check what the gateway forwarded.
/// </summary>
internal sealed class StubUpstream : IAsyncDisposable
{
    private WebApplication _app = null!;
    private readonly ConcurrentDictionary<string, StubReply> _replies = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<StubRequest> _received = new();
    private readonly CancellationTokenSource _stopping = new();

    private StubUpstream()
    {
    }

    public int Port { get; private set; }

    public static async Task<StubUpstream> StartAsync()
    {
        var stub = new StubUpstream();
        (stub._app, stub.Port) = await LoopbackServer.StartAsync(app => app.MapPost("/{route}/v1/{**operation}", stub.HandleAsync));
        return stub;
    }

    /// <summary>A base URL where nothing listens: the port was bound by the OS, then released.</summary>
    public static string ClosedBaseUrl()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return $"http://127.0.0.1:{port}/v1";
    }

    public string BaseUrl(string route) => $"http://127.0.0.1:{Port}/{route}/v1";

    public void On(string route, StubReply reply) => _replies[route] = reply;

    public IReadOnlyList<StubRequest> Received(string route) => [.. _received.Where(r => r.Route == route)];

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await _app.DisposeAsync();
        _stopping.Dispose();
    }

    private async Task HandleAsync(HttpContext http, string route)
    {
        using var reader = new StreamReader(http.Request.Body, Encoding.UTF8);
        var body = JsonNode.Parse(await reader.ReadToEndAsync())!.AsObject();
        var headers = http.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        _received.Enqueue(new StubRequest(route, http.Request.Path, headers, body));
        if (!_replies.TryGetValue(route, out var reply))
        {
            http.Response.StatusCode = StatusCodes.Status500InternalServerError;
            return;
        }
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token, http.RequestAborted);
        await reply(http, body, stopping.Token);
    }
}

/// <summary>The answers a stub backend can give, one per failure or success the gateway must handle.</summary>
internal static class Stub
{
    public const string Text = "Hello from the stub upstream, answering in a few plain words.";
    public const long Created = 1_700_000_000;

    public static readonly string[] Pieces = ["Hello", " from", " the", " stub", " upstream", ",", " streaming", " plain", " words", "."];

    /// <summary>OpenAI's usage object.</summary>
    public static JsonObject Usage(long prompt, long completion, long cached = 0) => new()
    {
        ["prompt_tokens"] = prompt,
        ["completion_tokens"] = completion,
        ["total_tokens"] = prompt + completion,
        ["prompt_tokens_details"] = new JsonObject { ["cached_tokens"] = cached },
        ["completion_tokens_details"] = new JsonObject { ["reasoning_tokens"] = 0 },
    };

    /// <summary>A chat completion; <paramref name="usage"/> null leaves the usage block out.</summary>
    public static StubReply Completion(JsonObject? usage) => (http, body, _) =>
    {
        var completion = new JsonObject
        {
            ["id"] = "chatcmpl-stub",
            ["object"] = "chat.completion",
            ["created"] = Created,
            ["model"] = body["model"]?.DeepClone(),
            ["choices"] = new JsonArray(new JsonObject
            {
                ["index"] = 0,
                ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = Text, ["refusal"] = null },
                ["logprobs"] = null,
                ["finish_reason"] = "stop",
            }),
        };
        if (usage is not null) completion["usage"] = usage.DeepClone();
        return WriteJsonAsync(http, 200, completion.ToJsonString());
    };

    /// <summary>A chat completion whose answer is one call of <paramref name="name"/> with <paramref name="arguments"/>, and no text.</summary>
    public static StubReply ToolCall(string id, string name, string arguments) => (http, _, _) => WriteJsonAsync(http, 200, new JsonObject
    {
        ["id"] = "chatcmpl-tool",
        ["object"] = "chat.completion",
        ["created"] = Created,
        ["model"] = "up-model",
        ["choices"] = new JsonArray(new JsonObject
        {
            ["index"] = 0,
            ["message"] = new JsonObject
            {
                ["role"] = "assistant",
                ["content"] = null,
                ["tool_calls"] = new JsonArray(new JsonObject
                {
                    ["id"] = id,
                    ["type"] = "function",
                    ["function"] = new JsonObject { ["name"] = name, ["arguments"] = arguments },
                }),
            },
            ["finish_reason"] = "tool_calls",
        }),
        ["usage"] = Usage(40, 10),
    }.ToJsonString());

    /// <summary>An embeddings answer in the encoding the request asked for.</summary>
    public static StubReply Embeddings(JsonObject? usage) => (http, body, _) =>
    {
        float[] vector = [0.6f, 0.8f, 0f];
        JsonNode embedding = body["encoding_format"]?.GetValue<string>() == "base64"
            ? Convert.ToBase64String(System.Runtime.InteropServices.MemoryMarshal.AsBytes(vector.AsSpan()))
            : new JsonArray([.. vector.Select(v => (JsonNode)v)]);
        var answer = new JsonObject
        {
            ["object"] = "list",
            ["data"] = new JsonArray(new JsonObject { ["object"] = "embedding", ["index"] = 0, ["embedding"] = embedding }),
            ["model"] = body["model"]?.DeepClone(),
        };
        if (usage is not null) answer["usage"] = usage.DeepClone();
        return WriteJsonAsync(http, 200, answer.ToJsonString());
    };

    /// <summary>
    /// An SSE stream of <see cref="Pieces"/>, a usage chunk (<c>choices: []</c>) when
    /// <paramref name="usage"/> is given, then <c>[DONE]</c>.
    /// </summary>
    public static StubReply Stream(JsonObject? usage) => async (http, body, stopping) =>
    {
        await StartStreamAsync(http);
        for (var i = 0; i < Pieces.Length; i++) await WriteChunkAsync(http, body, i, stopping);
        await WriteEventAsync(http, Chunk(body, new JsonObject(), "stop").ToJsonString(), stopping);
        if (usage is not null)
        {
            var tail = Chunk(body, null, null);
            tail["usage"] = usage.DeepClone();
            await WriteEventAsync(http, tail.ToJsonString(), stopping);
        }
        await WriteEventAsync(http, "[DONE]", stopping);
    };

    /// <summary>
    /// Streams <paramref name="chunks"/> content chunks, then, once <paramref name="cut"/> completes (the test
    /// saw them arrive), drops the connection without ending the response.
    /// </summary>
    public static StubReply StreamThenDisconnect(int chunks, Task cut) => async (http, body, stopping) =>
    {
        await StartStreamAsync(http);
        for (var i = 0; i < chunks; i++) await WriteChunkAsync(http, body, i, stopping);
        await cut.WaitAsync(stopping);
        http.Abort();
    };

    /// <summary>A stream of exactly these <c>data</c> payloads, then <c>[DONE]</c>.</summary>
    public static StubReply Events(params string[] events) => async (http, _, stopping) =>
    {
        await StartStreamAsync(http);
        foreach (var data in events) await WriteEventAsync(http, data, stopping);
        await WriteEventAsync(http, "[DONE]", stopping);
    };

    /// <summary>A stream written exactly as given (events, comments, <c>event:</c> lines), then nothing more.</summary>
    public static StubReply RawStream(string sse) => async (http, _, stopping) =>
    {
        await StartStreamAsync(http);
        await http.Response.WriteAsync(sse, stopping);
    };

    /// <summary>One content chunk, as <see cref="Stream"/> sends them.</summary>
    public static string ChunkJson(string content) =>
        Chunk(new JsonObject { ["model"] = "up-model" }, new JsonObject { ["content"] = content }, null).ToJsonString();

    /// <summary>Sends the stream's headers and a keep-alive comment, then drops the connection.</summary>
    public static StubReply StreamHeadersThenDisconnect() => async (http, _, _) =>
    {
        await StartStreamAsync(http);
        http.Abort();
    };

    /// <summary>
    /// Streams <paramref name="chunks"/> content chunks (after the headers and a keep-alive comment, so the
    /// caller has bytes at once), then sends nothing more until the caller goes away.
    /// </summary>
    public static StubReply StreamThenStall(int chunks) => async (http, body, stopping) =>
    {
        await StartStreamAsync(http);
        for (var i = 0; i < chunks; i++) await WriteChunkAsync(http, body, i, stopping);
        await StallAsync(stopping);
    };

    /// <summary>Sends no byte at all (not even headers) until the caller goes away.</summary>
    public static StubReply Stall() => (_, _, stopping) => StallAsync(stopping);

    public static StubReply Status(int status) => (http, _, _) =>
        WriteJsonAsync(http, status, """{"error":{"message":"The upstream is overloaded.","type":"server_error","param":null,"code":null}}""");

    /// <summary>OpenAI's answer to a request it refuses.</summary>
    public const string ClientErrorBody =
        """{"error":{"message":"This model's maximum context length is 8 tokens.","type":"invalid_request_error","param":"messages","code":"context_length_exceeded"}}""";

    public static StubReply ClientError(int status) => (http, _, _) => WriteJsonAsync(http, status, ClientErrorBody);

    public static StubReply Malformed() => (http, _, _) => WriteJsonAsync(http, 200, """{"id":"chatcmpl-stub","choices":[{"index":0,"message":""");

    /// <summary>A 200 whose body is well-formed JSON but not an answer: an error object, as some servers send.</summary>
    public static StubReply OkWithError() => (http, _, _) => WriteJsonAsync(http, 200, ClientErrorBody);

    private static JsonObject Chunk(JsonObject body, JsonObject? delta, string? finish) => new()
    {
        ["id"] = "chatcmpl-stub",
        ["object"] = "chat.completion.chunk",
        ["created"] = Created,
        ["model"] = body["model"]?.DeepClone(),
        ["choices"] = delta is null
            ? new JsonArray()
            : new JsonArray(new JsonObject { ["index"] = 0, ["delta"] = delta, ["logprobs"] = null, ["finish_reason"] = finish }),
    };

    private static Task WriteChunkAsync(HttpContext http, JsonObject body, int index, CancellationToken stopping)
    {
        var delta = index == 0
            ? new JsonObject { ["role"] = "assistant", ["content"] = Pieces[0] }
            : new JsonObject { ["content"] = Pieces[index % Pieces.Length] };
        return WriteEventAsync(http, Chunk(body, delta, null).ToJsonString(), stopping);
    }

    private static async Task StartStreamAsync(HttpContext http)
    {
        http.Response.StatusCode = 200;
        http.Response.ContentType = "text/event-stream";
        await http.Response.WriteAsync(": keep-alive\n\n");
        await http.Response.Body.FlushAsync();
    }

    private static async Task WriteEventAsync(HttpContext http, string data, CancellationToken stopping)
    {
        await http.Response.WriteAsync($"data: {data}\n\n", stopping);
        await http.Response.Body.FlushAsync(stopping);
    }

    public static async Task WriteJsonAsync(HttpContext http, int status, string json)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "application/json";
        await http.Response.WriteAsync(json);
    }

    private static async Task StallAsync(CancellationToken stopping)
    {
        try
        {
            await Task.Delay(TimeSpan.FromMinutes(2), stopping);
        }
        catch (OperationCanceledException)
        {
        }
    }
}
