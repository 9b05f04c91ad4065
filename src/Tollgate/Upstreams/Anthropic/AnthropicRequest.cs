using System.Text;
using System.Text.Json;
using Tollgate.Gateway;

namespace Tollgate.Upstreams.Anthropic;

/// <summary>
/// A chat-completions body (as the gateway rewrote it for this backend: upstream model name, output
/// cap) as an Anthropic Messages request: system messages become <c>system</c>, tool calls
/// <c>tool_use</c> blocks, tool messages <c>tool_result</c> blocks, images image blocks.
/// </summary>
internal static class AnthropicRequest
{
    /// <summary>The Messages body, or the field Anthropic cannot take (a client error, not the backend's fault).</summary>
    public static (byte[]? Body, string? Refused, string? Param) Translate(ReadOnlyMemory<byte> chatBody)
    {
        using var document = JsonDocument.Parse(chatBody);
        var root = document.RootElement;
        if (root.TryGetProperty("n", out var n) && n.TryReadInt32(out var choices) && choices > 1)
            return (null, "This model's backend returns one completion per request: 'n' must be 1.", "n");
        if (root.TryGetProperty("response_format", out var format) && format.ValueKind == JsonValueKind.Object
            && format.TryGetProperty("type", out var formatType) && !formatType.ValueEquals("text"))
            return (null, "This model's backend does not support 'response_format'.", "response_format");
        var system = new StringBuilder();
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(chatBody.Length + 256);
        using (var w = new Utf8JsonWriter(buffer, Hosting.JsonWriting.Options))
        {
            w.WriteStartObject();
            var capped = false;
            foreach (var property in root.EnumerateObject())
            {
                var value = property.Value;
                switch (property.Name)
                {
                    case "model":
                        property.WriteTo(w);
                        break;
                    case "max_tokens" or "max_completion_tokens" when !capped && value.ValueKind == JsonValueKind.Number:
                        w.WritePropertyName("max_tokens");
                        value.WriteTo(w);
                        capped = true;
                        break;
                    case "temperature" or "top_p" or "stream" when value.ValueKind != JsonValueKind.Null:
                        property.WriteTo(w);
                        break;
                    case "stop" when value.ValueKind == JsonValueKind.String:
                        w.WriteStartArray("stop_sequences");
                        w.WriteStringValue(value.GetString());
                        w.WriteEndArray();
                        break;
                    case "stop" when value.ValueKind == JsonValueKind.Array:
                        w.WritePropertyName("stop_sequences");
                        value.WriteTo(w);
                        break;
                    case "user" when value.ValueKind == JsonValueKind.String:
                        w.WriteStartObject("metadata");
                        w.WriteString("user_id", value.GetString());
                        w.WriteEndObject();
                        break;
                    case "tools" when value.ValueKind == JsonValueKind.Array && value.GetArrayLength() > 0:
                        WriteTools(w, value);
                        break;
                    case "tool_choice":
                        WriteToolChoice(w, value, root);
                        break;
                }
            }
            w.WriteStartArray("messages");
            if (root.TryGetProperty("messages", out var messages) && messages.ValueKind == JsonValueKind.Array) WriteMessages(w, messages, system);
            w.WriteEndArray();
            if (system.Length > 0) w.WriteString("system", system.ToString());
            w.WriteEndObject();
        }
        return (buffer.WrittenSpan.ToArray(), null, null);
    }

    /// <summary>
    /// Chat messages as alternating Anthropic turns: consecutive user-side messages (user text and
    /// tool results) join one user turn, consecutive assistant messages one assistant turn.
    /// </summary>
    private static void WriteMessages(Utf8JsonWriter w, JsonElement messages, StringBuilder system)
    {
        string? openRole = null;
        foreach (var message in messages.EnumerateArray())
        {
            if (message.ValueKind != JsonValueKind.Object || !message.TryGetProperty("role", out var r) || r.ValueKind != JsonValueKind.String) continue;
            var role = r.GetString();
            if (role is "system" or "developer")
            {
                if (system.Length > 0) system.Append('\n');
                system.Append(Gateway.Surfaces.ChatAnswer.ContentText(message));
                continue;
            }
            var turn = role == "assistant" ? "assistant" : "user";
            if (openRole != turn)
            {
                if (openRole is not null) EndTurn(w);
                w.WriteStartObject();
                w.WriteString("role", turn);
                w.WriteStartArray("content");
                openRole = turn;
            }
            if (role == "tool")
            {
                w.WriteStartObject();
                w.WriteString("type", "tool_result");
                w.WriteString("tool_use_id", message.TryGetProperty("tool_call_id", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString() : "");
                w.WriteString("content", Gateway.Surfaces.ChatAnswer.ContentText(message));
                w.WriteEndObject();
                continue;
            }
            WriteContent(w, message);
            if (role == "assistant" && message.TryGetProperty("tool_calls", out var calls) && calls.ValueKind == JsonValueKind.Array)
            {
                foreach (var call in calls.EnumerateArray()) WriteToolUse(w, call);
            }
        }
        if (openRole is not null) EndTurn(w);
    }

    private static void EndTurn(Utf8JsonWriter w)
    {
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteContent(Utf8JsonWriter w, JsonElement message)
    {
        if (!message.TryGetProperty("content", out var content)) return;
        if (content.ValueKind == JsonValueKind.String)
        {
            if (content.GetString() is { Length: > 0 } text) WriteText(w, text);
            return;
        }
        if (content.ValueKind != JsonValueKind.Array) return;
        foreach (var part in content.EnumerateArray())
        {
            if (part.ValueKind != JsonValueKind.Object || !part.TryGetProperty("type", out var type)) continue;
            if (type.ValueEquals("text") && part.TryGetProperty("text", out var text) && text.ValueKind == JsonValueKind.String)
            {
                WriteText(w, text.GetString()!);
            }
            else if (type.ValueEquals("image_url") && part.TryGetProperty("image_url", out var image))
            {
                var url = image.ValueKind == JsonValueKind.String ? image.GetString()
                    : image.ValueKind == JsonValueKind.Object && image.TryGetProperty("url", out var u) && u.ValueKind == JsonValueKind.String ? u.GetString() : null;
                if (url is not null) WriteImage(w, url);
            }
        }
    }

    private static void WriteText(Utf8JsonWriter w, string text)
    {
        w.WriteStartObject();
        w.WriteString("type", "text");
        w.WriteString("text", text);
        w.WriteEndObject();
    }

    /// <summary>A data URL as a base64 source, anything else as a url source.</summary>
    private static void WriteImage(Utf8JsonWriter w, string url)
    {
        w.WriteStartObject();
        w.WriteString("type", "image");
        w.WriteStartObject("source");
        var comma = url.IndexOf(',', StringComparison.Ordinal);
        if (url.StartsWith("data:", StringComparison.Ordinal) && comma > 0 && url.AsSpan(0, comma).EndsWith(";base64", StringComparison.Ordinal))
        {
            w.WriteString("type", "base64");
            w.WriteString("media_type", url[5..(comma - 7)]);
            w.WriteString("data", url[(comma + 1)..]);
        }
        else
        {
            w.WriteString("type", "url");
            w.WriteString("url", url);
        }
        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static void WriteToolUse(Utf8JsonWriter w, JsonElement call)
    {
        if (call.ValueKind != JsonValueKind.Object || !call.TryGetProperty("function", out var function) || function.ValueKind != JsonValueKind.Object) return;
        w.WriteStartObject();
        w.WriteString("type", "tool_use");
        w.WriteString("id", call.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString() : "");
        w.WriteString("name", function.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String ? name.GetString() : "");
        w.WritePropertyName("input");
        Gateway.Messages.MessagesSurface.WriteInput(w, function.TryGetProperty("arguments", out var args) && args.ValueKind == JsonValueKind.String ? args.GetString()! : "{}");
        w.WriteEndObject();
    }

    private static void WriteTools(Utf8JsonWriter w, JsonElement tools)
    {
        w.WriteStartArray("tools");
        foreach (var tool in tools.EnumerateArray())
        {
            if (tool.ValueKind != JsonValueKind.Object || !tool.TryGetProperty("function", out var function) || function.ValueKind != JsonValueKind.Object) continue;
            w.WriteStartObject();
            w.WriteString("name", function.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String ? name.GetString() : "");
            if (function.TryGetProperty("description", out var description) && description.ValueKind == JsonValueKind.String) w.WriteString("description", description.GetString());
            w.WritePropertyName("input_schema");
            if (function.TryGetProperty("parameters", out var parameters) && parameters.ValueKind == JsonValueKind.Object) parameters.WriteTo(w);
            else
            {
                w.WriteStartObject();
                w.WriteString("type", "object");
                w.WriteEndObject();
            }
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    private static void WriteToolChoice(Utf8JsonWriter w, JsonElement choice, JsonElement root)
    {
        var serial = root.TryGetProperty("parallel_tool_calls", out var parallel) && parallel.ValueKind == JsonValueKind.False;
        string? type = null;
        string? name = null;
        if (choice.ValueKind == JsonValueKind.String)
        {
            type = choice.GetString() switch { "auto" => "auto", "required" => "any", "none" => "none", _ => null };
        }
        else if (choice.ValueKind == JsonValueKind.Object && choice.TryGetProperty("function", out var function) && function.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String)
        {
            type = "tool";
            name = n.GetString();
        }
        if (type is null) return;
        w.WriteStartObject("tool_choice");
        w.WriteString("type", type);
        if (name is not null) w.WriteString("name", name);
        if (serial && type != "none") w.WriteBoolean("disable_parallel_tool_use", true);
        w.WriteEndObject();
    }
}
