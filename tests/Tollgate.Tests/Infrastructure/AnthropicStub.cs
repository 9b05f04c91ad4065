using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Tollgate.Tests.Infrastructure;

/// <summary>Replies of a stub Anthropic Messages server: a whole message, or its stream with usage in <c>message_start</c> and <c>message_delta</c>.</summary>
internal static class AnthropicStub
{
    public static JsonObject Usage(long input, long output, long cacheRead, long cacheWrite) => new()
    {
        ["input_tokens"] = input,
        ["cache_creation_input_tokens"] = cacheWrite,
        ["cache_read_input_tokens"] = cacheRead,
        ["output_tokens"] = output,
    };

    public static StubReply Message(JsonObject usage) => (http, body, _) => Stub.WriteJsonAsync(http, 200, new JsonObject
    {
        ["id"] = "msg_stub",
        ["type"] = "message",
        ["role"] = "assistant",
        ["model"] = body["model"]?.DeepClone(),
        ["content"] = new JsonArray(new JsonObject { ["type"] = "text", ["text"] = "Hello from Anthropic." }),
        ["stop_reason"] = "end_turn",
        ["stop_sequence"] = null,
        ["usage"] = usage.DeepClone(),
    }.ToJsonString());

    /// <summary>Anthropic's stream: input usage in <c>message_start</c>, output in <c>message_delta</c>.</summary>
    public static StubReply Stream(JsonObject startUsage, long outputTokens) => (http, body, stopping) => SseAsync(http, stopping,
        ("message_start", new JsonObject
        {
            ["type"] = "message_start",
            ["message"] = new JsonObject
            {
                ["id"] = "msg_stub", ["type"] = "message", ["role"] = "assistant", ["model"] = body["model"]?.DeepClone(),
                ["content"] = new JsonArray(), ["stop_reason"] = null, ["stop_sequence"] = null, ["usage"] = startUsage.DeepClone(),
            },
        }),
        ("content_block_start", Json("""{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}""")),
        ("ping", Json("""{"type":"ping"}""")),
        ("content_block_delta", Json("""{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hello from"}}""")),
        ("content_block_delta", Json("""{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":" Anthropic."}}""")),
        ("content_block_stop", Json("""{"type":"content_block_stop","index":0}""")),
        ("message_delta", Json($$$"""{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":{{{outputTokens}}}}}""")),
        ("message_stop", Json("""{"type":"message_stop"}""")));

    public static JsonObject Json(string json) => JsonNode.Parse(json)!.AsObject();

    public static async Task SseAsync(HttpContext http, CancellationToken stopping, params (string Event, JsonObject Data)[] events)
    {
        http.Response.StatusCode = 200;
        http.Response.ContentType = "text/event-stream";
        foreach (var (name, data) in events)
        {
            await http.Response.WriteAsync($"event: {name}\ndata: {data.ToJsonString()}\n\n", stopping);
            await http.Response.Body.FlushAsync(stopping);
        }
    }
}
