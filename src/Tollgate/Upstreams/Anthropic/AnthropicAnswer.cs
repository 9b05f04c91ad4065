using System.Runtime.CompilerServices;
using System.Text.Json;
using Tollgate.Gateway;

namespace Tollgate.Upstreams.Anthropic;

/// <summary>
/// Anthropic's answers as OpenAI's chat completions and chunks, usage included: input is
/// <c>input_tokens</c> + <c>cache_read_input_tokens</c> + <c>cache_creation_input_tokens</c>, of
/// which the cache reads are the cached input and the cache writes (<c>cache_write_tokens</c>) are
/// priced at the card's cache-write rate.
/// </summary>
internal static class AnthropicAnswer
{
    /// <summary>A whole Anthropic message as a chat completion; null when the body is not a message.</summary>
    public static byte[]? Completion(byte[] body)
    {
        using var document = JsonDocument.Parse(body);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("type", out var type) || !type.ValueEquals("message")
            || !root.TryGetProperty("content", out var content) || content.ValueKind != JsonValueKind.Array)
            return null;
        var text = new System.Text.StringBuilder();
        var calls = new List<JsonElement>();
        foreach (var block in content.EnumerateArray())
        {
            if (block.ValueKind != JsonValueKind.Object || !block.TryGetProperty("type", out var blockType)) continue;
            if (blockType.ValueEquals("text") && block.TryGetProperty("text", out var t) && t.ValueKind == JsonValueKind.String) text.Append(t.GetString());
            else if (blockType.ValueEquals("tool_use")) calls.Add(block);
        }
        return Gateway.Surfaces.ChatAnswer.Json(w =>
        {
            w.WriteStartObject();
            w.WriteString("id", Id(root));
            w.WriteString("object", "chat.completion");
            w.WriteNumber("created", 0);
            w.WriteString("model", root.TryGetProperty("model", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : "");
            w.WriteStartArray("choices");
            w.WriteStartObject();
            w.WriteNumber("index", 0);
            w.WriteStartObject("message");
            w.WriteString("role", "assistant");
            if (text.Length == 0 && calls.Count > 0) w.WriteNull("content");
            else w.WriteString("content", text.ToString());
            w.WriteNull("refusal");
            if (calls.Count > 0)
            {
                w.WriteStartArray("tool_calls");
                foreach (var call in calls)
                {
                    w.WriteStartObject();
                    w.WriteString("id", String(call, "id"));
                    w.WriteString("type", "function");
                    w.WriteStartObject("function");
                    w.WriteString("name", String(call, "name"));
                    w.WriteString("arguments", call.TryGetProperty("input", out var input) ? input.GetRawText() : "{}");
                    w.WriteEndObject();
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            }
            w.WriteEndObject();
            w.WriteNull("logprobs");
            w.WriteString("finish_reason", FinishReason(root.TryGetProperty("stop_reason", out var stop) && stop.ValueKind == JsonValueKind.String ? stop.GetString() : null));
            w.WriteEndObject();
            w.WriteEndArray();
            if (root.TryGetProperty("usage", out var usage) && Usage.Read(usage) is { } counted) counted.Write(w);
            w.WriteEndObject();
        });
    }

    /// <summary>
    /// Anthropic's stream events as chat chunks: the first (<c>message_start</c>) opens the
    /// assistant's turn, text and tool input arrive as deltas, <c>message_delta</c> gives the
    /// finish reason, and at <c>message_stop</c> a usage-only chunk carries what
    /// <c>message_start</c> and <c>message_delta</c> reported.
    /// </summary>
    public static async IAsyncEnumerable<ReadOnlyMemory<byte>> Chunks(IAsyncEnumerable<ReadOnlyMemory<byte>> events, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var id = "chatcmpl-anthropic";
        var model = "";
        var usage = new Usage(0, 0, 0, 0);
        var toolIndex = new Dictionary<int, int>();
        await foreach (var data in events.WithCancellation(cancellationToken))
        {
            byte[]? chunk = null;
            using (var document = JsonDocument.Parse(data))
            {
                var e = document.RootElement;
                var type = e.ValueKind == JsonValueKind.Object && e.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
                switch (type)
                {
                    case "message_start" when e.TryGetProperty("message", out var message) && message.ValueKind == JsonValueKind.Object:
                        id = Id(message);
                        model = String(message, "model");
                        if (message.TryGetProperty("usage", out var started)) usage = usage.Merge(started);
                        chunk = Chunk(id, model, d => d.WriteString("role", "assistant"), null);
                        break;
                    case "content_block_start" when e.TryGetProperty("content_block", out var block) && block.TryGetProperty("type", out var kind) && kind.ValueEquals("tool_use"):
                        var at = toolIndex.Count;
                        toolIndex[e.TryGetProperty("index", out var bi) && bi.TryReadInt32(out var b) ? b : at] = at;
                        chunk = Chunk(id, model, d => ToolCall(d, at, String(block, "id"), String(block, "name"), ""), null);
                        break;
                    case "content_block_delta" when e.TryGetProperty("delta", out var delta) && delta.TryGetProperty("type", out var deltaType):
                        if (deltaType.ValueEquals("text_delta") && delta.TryGetProperty("text", out var text) && text.ValueKind == JsonValueKind.String)
                        {
                            var piece = text.GetString();
                            chunk = Chunk(id, model, d => d.WriteString("content", piece), null);
                        }
                        else if (deltaType.ValueEquals("input_json_delta") && delta.TryGetProperty("partial_json", out var json) && json.ValueKind == JsonValueKind.String
                                 && e.TryGetProperty("index", out var di) && di.TryReadInt32(out var dIndex) && toolIndex.TryGetValue(dIndex, out var call))
                        {
                            var partial = json.GetString()!;
                            chunk = Chunk(id, model, d => ToolCall(d, call, null, null, partial), null);
                        }
                        break;
                    case "message_delta":
                        if (e.TryGetProperty("usage", out var final)) usage = usage.Merge(final);
                        var stop = e.TryGetProperty("delta", out var md) && md.TryGetProperty("stop_reason", out var sr) && sr.ValueKind == JsonValueKind.String ? sr.GetString() : null;
                        chunk = Chunk(id, model, _ => { }, FinishReason(stop));
                        break;
                    case "message_stop":
                        yield return Gateway.Surfaces.ChatAnswer.Json(w =>
                        {
                            w.WriteStartObject();
                            Header(w, id, model);
                            w.WriteStartArray("choices");
                            w.WriteEndArray();
                            usage.Write(w);
                            w.WriteEndObject();
                        });
                        yield break;
                    case "error":
                        throw new BackendStreamException("the Anthropic backend sent an error event");
                }
            }
            if (chunk is not null) yield return chunk;
        }
    }

    public static string FinishReason(string? stopReason) => stopReason switch
    {
        "max_tokens" => "length",
        "tool_use" => "tool_calls",
        "refusal" => "content_filter",
        _ => "stop",
    };

    private static byte[] Chunk(string id, string model, Action<Utf8JsonWriter> delta, string? finish) => Gateway.Surfaces.ChatAnswer.Json(w =>
    {
        w.WriteStartObject();
        Header(w, id, model);
        w.WriteStartArray("choices");
        w.WriteStartObject();
        w.WriteNumber("index", 0);
        w.WriteStartObject("delta");
        delta(w);
        w.WriteEndObject();
        w.WriteNull("logprobs");
        if (finish is null) w.WriteNull("finish_reason");
        else w.WriteString("finish_reason", finish);
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteEndObject();
    });

    private static void ToolCall(Utf8JsonWriter d, int index, string? id, string? name, string arguments)
    {
        d.WriteStartArray("tool_calls");
        d.WriteStartObject();
        d.WriteNumber("index", index);
        if (id is not null)
        {
            d.WriteString("id", id);
            d.WriteString("type", "function");
        }
        d.WriteStartObject("function");
        if (name is not null) d.WriteString("name", name);
        d.WriteString("arguments", arguments);
        d.WriteEndObject();
        d.WriteEndObject();
        d.WriteEndArray();
    }

    private static void Header(Utf8JsonWriter w, string id, string model)
    {
        w.WriteString("id", id);
        w.WriteString("object", "chat.completion.chunk");
        w.WriteNumber("created", 0);
        w.WriteString("model", model);
    }

    private static string Id(JsonElement message) => "chatcmpl-" + String(message, "id");

    private static string String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString()! : "";

    /// <summary>Anthropic's usage numbers; later reports (message_delta) replace what they carry.</summary>
    private readonly record struct Usage(long Input, long CacheRead, long CacheWrite, long Output)
    {
        public static Usage? Read(JsonElement usage) => usage.ValueKind == JsonValueKind.Object ? new Usage(0, 0, 0, 0).Merge(usage) : null;

        public Usage Merge(JsonElement usage) => usage.ValueKind != JsonValueKind.Object ? this : new Usage(
            Field(usage, "input_tokens") ?? Input,
            Field(usage, "cache_read_input_tokens") ?? CacheRead,
            Field(usage, "cache_creation_input_tokens") ?? CacheWrite,
            Field(usage, "output_tokens") ?? Output);

        /// <summary>OpenAI's usage object: cache reads are cached input, cache writes their own part of input.</summary>
        public void Write(Utf8JsonWriter w)
        {
            var prompt = Input + CacheRead + CacheWrite;
            w.WriteStartObject("usage");
            w.WriteNumber("prompt_tokens", prompt);
            w.WriteNumber("completion_tokens", Output);
            w.WriteNumber("total_tokens", prompt + Output);
            w.WriteStartObject("prompt_tokens_details");
            w.WriteNumber("cached_tokens", CacheRead);
            w.WriteNumber("cache_write_tokens", CacheWrite);
            w.WriteEndObject();
            w.WriteStartObject("completion_tokens_details");
            w.WriteNumber("reasoning_tokens", 0);
            w.WriteEndObject();
            w.WriteEndObject();
        }

        private static long? Field(JsonElement usage, string name) => usage.TryGetProperty(name, out var v) && v.TryReadInt64(out var n) ? n : null;
    }
}
