using System.Buffers;
using System.Runtime.InteropServices;
using System.Text.Json;
using Tollgate.Gateway;

namespace Tollgate.Upstreams;

/// <summary>
/// OpenAI's response shapes, for the backends that answer themselves (the simulator and the
/// in-process models) rather than relaying another server's bytes.
/// </summary>
internal static class OpenAiWire
{
    /// <summary>One finished choice of a completion.</summary>
    public readonly record struct Choice(string Text, string FinishReason);

    public static byte[] Write(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer, Hosting.JsonWriting.Options)) write(writer);
        return buffer.WrittenSpan.ToArray();
    }

    public static byte[] Completion(string id, long created, string model, string fingerprint, IReadOnlyList<Choice> choices, long promptTokens, long completionTokens) => Write(w =>
    {
        w.WriteStartObject();
        WriteHeader(w, id, "chat.completion", created, model, fingerprint);
        w.WriteStartArray("choices");
        for (var i = 0; i < choices.Count; i++)
        {
            w.WriteStartObject();
            w.WriteNumber("index", i);
            w.WriteStartObject("message");
            w.WriteString("role", "assistant");
            w.WriteString("content", choices[i].Text);
            w.WriteNull("refusal");
            w.WriteStartArray("annotations");
            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteNull("logprobs");
            w.WriteString("finish_reason", choices[i].FinishReason);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        WriteUsage(w, promptTokens, completionTokens);
        w.WriteEndObject();
    });

    /// <summary>A stream chunk for one choice: the role opens it, content continues it, a finish reason ends it.</summary>
    public static byte[] Chunk(string id, long created, string model, string fingerprint, int index, bool role, string? content, string? finish) => Write(w =>
    {
        w.WriteStartObject();
        WriteHeader(w, id, "chat.completion.chunk", created, model, fingerprint);
        w.WriteStartArray("choices");
        w.WriteStartObject();
        w.WriteNumber("index", index);
        w.WriteStartObject("delta");
        if (role) w.WriteString("role", "assistant");
        if (content is not null) w.WriteString("content", content);
        w.WriteEndObject();
        w.WriteNull("logprobs");
        if (finish is null) w.WriteNull("finish_reason");
        else w.WriteString("finish_reason", finish);
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteEndObject();
    });

    /// <summary>The stream's usage-only chunk (<c>"choices": []</c>).</summary>
    public static byte[] UsageChunk(string id, long created, string model, string fingerprint, long promptTokens, long completionTokens) => Write(w =>
    {
        w.WriteStartObject();
        WriteHeader(w, id, "chat.completion.chunk", created, model, fingerprint);
        w.WriteStartArray("choices");
        w.WriteEndArray();
        WriteUsage(w, promptTokens, completionTokens);
        w.WriteEndObject();
    });

    public static byte[] Embeddings(string model, IReadOnlyList<float[]> vectors, bool base64, long promptTokens) => Write(w =>
    {
        w.WriteStartObject();
        w.WriteString("object", "list");
        w.WriteStartArray("data");
        for (var i = 0; i < vectors.Count; i++)
        {
            w.WriteStartObject();
            w.WriteString("object", "embedding");
            w.WriteNumber("index", i);
            if (base64)
            {
                // Little-endian float32s, as OpenAI sends them.
                w.WriteBase64String("embedding", MemoryMarshal.AsBytes(vectors[i].AsSpan()));
            }
            else
            {
                w.WriteStartArray("embedding");
                foreach (var value in vectors[i]) w.WriteNumberValue(value);
                w.WriteEndArray();
            }
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteString("model", model);
        w.WriteStartObject("usage");
        w.WriteNumber("prompt_tokens", promptTokens);
        w.WriteNumber("total_tokens", promptTokens);
        w.WriteEndObject();
        w.WriteEndObject();
    });

    public static int? ReadInt(JsonElement body, string name) =>
        body.TryGetProperty(name, out var value) && value.TryReadInt32(out var i) ? i : null;

    public static List<string> ReadStop(JsonElement body)
    {
        if (!body.TryGetProperty("stop", out var stop)) return [];
        if (stop.ValueKind == JsonValueKind.String) return [stop.GetString()!];
        return stop.ValueKind == JsonValueKind.Array
            ? [.. stop.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!)]
            : [];
    }

    private static void WriteHeader(Utf8JsonWriter w, string id, string kind, long created, string model, string fingerprint)
    {
        w.WriteString("id", id);
        w.WriteString("object", kind);
        w.WriteNumber("created", created);
        w.WriteString("model", model);
        w.WriteString("system_fingerprint", fingerprint);
    }

    private static void WriteUsage(Utf8JsonWriter w, long promptTokens, long completionTokens)
    {
        w.WriteStartObject("usage");
        w.WriteNumber("prompt_tokens", promptTokens);
        w.WriteNumber("completion_tokens", completionTokens);
        w.WriteNumber("total_tokens", promptTokens + completionTokens);
        w.WriteStartObject("prompt_tokens_details");
        w.WriteNumber("cached_tokens", 0);
        w.WriteEndObject();
        w.WriteStartObject("completion_tokens_details");
        w.WriteNumber("reasoning_tokens", 0);
        w.WriteEndObject();
        w.WriteEndObject();
    }
}
