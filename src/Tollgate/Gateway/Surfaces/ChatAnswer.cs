using System.Buffers;
using System.Text.Json;

namespace Tollgate.Gateway.Surfaces;

/// <summary>A function the model asked to call: its id, name and JSON arguments as text.</summary>
internal sealed record ChatToolCall(string Id, string Name, string Arguments);

/// <summary>
/// The first choice of a finished chat completion, as the other surfaces need it: surfaces never
/// ask for more than one choice.
/// </summary>
internal sealed record ChatAnswer(string? Id, long Created, string Text, IReadOnlyList<ChatToolCall> ToolCalls, string? FinishReason)
{
    public static ChatAnswer Read(JsonElement completion)
    {
        var id = completion.TryGetProperty("id", out var i) && i.ValueKind == JsonValueKind.String ? i.GetString() : null;
        var created = completion.TryGetProperty("created", out var c) && c.TryReadInt64(out var t) ? t : 0;
        var text = "";
        string? finish = null;
        List<ChatToolCall> calls = [];
        if (completion.TryGetProperty("choices", out var choices) && choices.ValueKind == JsonValueKind.Array && choices.GetArrayLength() > 0
            && choices[0] is { ValueKind: JsonValueKind.Object } choice)
        {
            if (choice.TryGetProperty("finish_reason", out var f) && f.ValueKind == JsonValueKind.String) finish = f.GetString();
            if (choice.TryGetProperty("message", out var message) && message.ValueKind == JsonValueKind.Object)
            {
                text = ContentText(message);
                if (message.TryGetProperty("tool_calls", out var toolCalls) && toolCalls.ValueKind == JsonValueKind.Array)
                {
                    var index = 0;
                    foreach (var call in toolCalls.EnumerateArray())
                    {
                        if (call.ValueKind != JsonValueKind.Object) continue;
                        var callId = call.TryGetProperty("id", out var ci) && ci.ValueKind == JsonValueKind.String ? ci.GetString()! : $"call_{index}";
                        var name = "";
                        var arguments = "{}";
                        if (call.TryGetProperty("function", out var function) && function.ValueKind == JsonValueKind.Object)
                        {
                            if (function.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String) name = n.GetString()!;
                            if (function.TryGetProperty("arguments", out var a) && a.ValueKind == JsonValueKind.String) arguments = a.GetString()!;
                        }
                        calls.Add(new ChatToolCall(callId, name, arguments));
                        index++;
                    }
                }
            }
        }
        return new ChatAnswer(id, created, text, calls, finish);
    }

    /// <summary>A message's text: its string content, or its text parts joined.</summary>
    public static string ContentText(JsonElement message)
    {
        if (!message.TryGetProperty("content", out var content)) return "";
        if (content.ValueKind == JsonValueKind.String) return content.GetString()!;
        if (content.ValueKind != JsonValueKind.Array) return "";
        var text = new System.Text.StringBuilder();
        foreach (var part in content.EnumerateArray())
        {
            if (part.ValueKind == JsonValueKind.Object && part.TryGetProperty("text", out var t) && t.ValueKind == JsonValueKind.String) text.Append(t.GetString());
        }
        return text.ToString();
    }

    /// <summary>A chat assistant message: its text (null content when it only calls tools) and its tool calls.</summary>
    public static void WriteAssistantMessage(Utf8JsonWriter w, string? text, IReadOnlyList<ChatToolCall> calls)
    {
        w.WriteStartObject();
        w.WriteString("role", "assistant");
        if (text is null) w.WriteNull("content");
        else w.WriteString("content", text);
        if (calls.Count > 0)
        {
            w.WriteStartArray("tool_calls");
            foreach (var call in calls)
            {
                w.WriteStartObject();
                w.WriteString("id", call.Id);
                w.WriteString("type", "function");
                w.WriteStartObject("function");
                w.WriteString("name", call.Name);
                w.WriteString("arguments", call.Arguments);
                w.WriteEndObject();
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        w.WriteEndObject();
    }

    /// <summary>Writes a JSON document with a fresh writer and returns its bytes.</summary>
    public static byte[] Json(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var w = new Utf8JsonWriter(buffer, Hosting.JsonWriting.Options)) write(w);
        return buffer.WrittenSpan.ToArray();
    }
}

/// <summary>
/// Reads chat-completion chunks into the few things a surface's stream is made of: text, the start
/// of a tool call, its argument text, and the finish reason. Only the first choice is read.
/// </summary>
internal abstract class ChatDeltaStream : SurfaceStream
{
    private readonly HashSet<int> _toolsSeen = [];

    /// <summary>The chat finish reason, once the backend sent it.</summary>
    protected string? FinishReason { get; private set; }

    public override void Chunk(IBufferWriter<byte> output, JsonElement chunk)
    {
        if (!chunk.TryGetProperty("choices", out var choices) || choices.ValueKind != JsonValueKind.Array) return;
        foreach (var choice in choices.EnumerateArray())
        {
            if (choice.ValueKind != JsonValueKind.Object) continue;
            if (choice.TryGetProperty("index", out var index) && index.TryReadInt32(out var n) && n != 0) continue;
            if (choice.TryGetProperty("delta", out var delta) && delta.ValueKind == JsonValueKind.Object)
            {
                if (delta.TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.String && content.GetString() is { Length: > 0 } text)
                    OnText(output, text);
                if (delta.TryGetProperty("tool_calls", out var calls) && calls.ValueKind == JsonValueKind.Array)
                {
                    foreach (var call in calls.EnumerateArray()) ReadToolCall(output, call);
                }
            }
            if (choice.TryGetProperty("finish_reason", out var finish) && finish.ValueKind == JsonValueKind.String) FinishReason = finish.GetString();
        }
    }

    private void ReadToolCall(IBufferWriter<byte> output, JsonElement call)
    {
        if (call.ValueKind != JsonValueKind.Object) return;
        var index = call.TryGetProperty("index", out var i) && i.TryReadInt32(out var n) ? n : 0;
        string? name = null;
        string? arguments = null;
        if (call.TryGetProperty("function", out var function) && function.ValueKind == JsonValueKind.Object)
        {
            if (function.TryGetProperty("name", out var nm) && nm.ValueKind == JsonValueKind.String) name = nm.GetString();
            if (function.TryGetProperty("arguments", out var a) && a.ValueKind == JsonValueKind.String) arguments = a.GetString();
        }
        if (_toolsSeen.Add(index))
        {
            var id = call.TryGetProperty("id", out var ci) && ci.ValueKind == JsonValueKind.String ? ci.GetString()! : $"call_{index}";
            OnToolStart(output, index, id, name ?? "");
        }
        if (arguments is { Length: > 0 }) OnToolArguments(output, index, arguments);
    }

    protected abstract void OnText(IBufferWriter<byte> output, string text);

    protected abstract void OnToolStart(IBufferWriter<byte> output, int index, string id, string name);

    protected abstract void OnToolArguments(IBufferWriter<byte> output, int index, string arguments);
}
