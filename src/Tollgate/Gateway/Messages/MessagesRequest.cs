using System.Text;
using System.Text.Json;
using Tollgate.Gateway.Surfaces;

namespace Tollgate.Gateway.Messages;

/// <summary>
/// Translates an Anthropic Messages request (<c>system</c>, content blocks, <c>tool_use</c> and
/// <c>tool_result</c>, <c>max_tokens</c>, <c>stop_sequences</c>) into a chat-completions body.
/// </summary>
internal static class MessagesRequest
{
    /// <param name="root">The client's request body.</param>
    /// <param name="forCounting">For <c>count_tokens</c>: nothing is generated, so <c>max_tokens</c> is not asked for.</param>
    public static SurfaceTranslation ToChat(JsonElement root, bool forCounting)
    {
        if (!forCounting)
        {
            if (!root.TryGetProperty("max_tokens", out var max) || max.ValueKind == JsonValueKind.Null)
                return Refused("max_tokens: Field required.", "max_tokens", "missing_required_parameter");
            if (!max.TryReadInt32(out var cap) || cap < 1)
                return Refused("max_tokens: must be a positive integer.", "max_tokens", "invalid_type");
        }
        if (!root.TryGetProperty("messages", out var messages))
            return Refused("messages: Field required.", "messages", "missing_required_parameter");
        if (messages.ValueKind != JsonValueKind.Array || messages.GetArrayLength() == 0)
            return Refused("messages: must be a non-empty array.", "messages", "invalid_type");
        ApiError? error = null;
        var body = ChatAnswer.Json(w =>
        {
            w.WriteStartObject();
            // On the first refusal the half-written body is dropped.
            foreach (var property in root.EnumerateObject())
            {
                if ((error = Field(w, property, forCounting)) is not null) return;
            }
            w.WriteStartArray("messages");
            if (root.TryGetProperty("system", out var system) && (error = System(w, system)) is not null) return;
            var index = 0;
            foreach (var message in messages.EnumerateArray())
            {
                if ((error = Message(w, message, $"messages.{index++}")) is not null) return;
            }
            w.WriteEndArray();
            w.WriteEndObject();
        });
        return error is null ? SurfaceTranslation.Of(body) : SurfaceTranslation.Refused(error);
    }

    private static ApiError? Field(Utf8JsonWriter w, JsonProperty property, bool forCounting)
    {
        var value = property.Value;
        switch (property.Name)
        {
            case "model":
                w.WritePropertyName("model");
                value.WriteTo(w);
                return null;
            case "max_tokens":
                if (!forCounting) w.WriteNumber("max_tokens", value.GetInt32());
                return null;
            case "temperature" or "top_p":
                if (value.ValueKind == JsonValueKind.Null) return null;
                if (value.ValueKind != JsonValueKind.Number) return TypeError(property.Name, "a number");
                w.WritePropertyName(property.Name);
                value.WriteTo(w);
                return null;
            case "top_k":
                return value.ValueKind is JsonValueKind.Number or JsonValueKind.Null ? null : TypeError("top_k", "an integer");
            case "stream":
                if (value.ValueKind is not (JsonValueKind.True or JsonValueKind.False or JsonValueKind.Null)) return TypeError("stream", "a boolean");
                if (!forCounting) w.WriteBoolean("stream", value.ValueKind == JsonValueKind.True);
                return null;
            case "stop_sequences":
                if (value.ValueKind == JsonValueKind.Null) return null;
                if (value.ValueKind != JsonValueKind.Array || value.EnumerateArray().Any(s => s.ValueKind != JsonValueKind.String))
                    return TypeError("stop_sequences", "an array of strings");
                if (value.GetArrayLength() == 0) return null;
                w.WritePropertyName("stop");
                value.WriteTo(w);
                return null;
            case "system":
                return value.ValueKind is JsonValueKind.String or JsonValueKind.Array or JsonValueKind.Null ? null : TypeError("system", "a string or an array of text blocks");
            case "tools":
                return Tools(w, value);
            case "tool_choice":
                return ToolChoice(w, value);
            case "metadata":
                if (value.ValueKind == JsonValueKind.Null) return null;
                if (value.ValueKind != JsonValueKind.Object) return TypeError("metadata", "an object");
                if (value.TryGetProperty("user_id", out var user) && user.ValueKind == JsonValueKind.String) w.WriteString("user", user.GetString());
                return null;
            default:
                // messages (written after), and fields that tune Anthropic's own service (thinking, service_tier, …).
                return null;
        }
    }

    private static ApiError? System(Utf8JsonWriter w, JsonElement system)
    {
        if (system.ValueKind == JsonValueKind.Null) return null;
        string text;
        if (system.ValueKind == JsonValueKind.String)
        {
            text = system.GetString()!;
        }
        else
        {
            var joined = new StringBuilder();
            var index = 0;
            foreach (var block in system.EnumerateArray())
            {
                if (block.ValueKind != JsonValueKind.Object || !block.TryGetProperty("text", out var t) || t.ValueKind != JsonValueKind.String)
                    return Refused($"system.{index}: must be a text block.", $"system.{index}", "invalid_type").Error;
                if (joined.Length > 0) joined.Append('\n');
                joined.Append(t.GetString());
                index++;
            }
            text = joined.ToString();
        }
        if (text.Length == 0) return null;
        w.WriteStartObject();
        w.WriteString("role", "system");
        w.WriteString("content", text);
        w.WriteEndObject();
        return null;
    }

    /// <summary>
    /// One Anthropic message as chat messages: a user turn's <c>tool_result</c> blocks become tool
    /// messages (first, answering the calls before), an assistant turn's <c>tool_use</c> blocks its tool calls.
    /// </summary>
    private static ApiError? Message(Utf8JsonWriter w, JsonElement message, string at)
    {
        if (message.ValueKind != JsonValueKind.Object)
            return Refused($"{at}: must be an object with 'role' and 'content'.", at, "invalid_type").Error;
        if (!message.TryGetProperty("role", out var role) || !(role.ValueEquals("user") || role.ValueEquals("assistant")))
            return Refused($"{at}.role: must be 'user' or 'assistant'.", $"{at}.role", "invalid_value").Error;
        var assistant = role.ValueEquals("assistant");
        if (!message.TryGetProperty("content", out var content) || content.ValueKind is not (JsonValueKind.String or JsonValueKind.Array))
            return TypeError($"{at}.content", "a string or an array of content blocks");
        if (content.ValueKind == JsonValueKind.String)
        {
            w.WriteStartObject();
            w.WriteString("role", assistant ? "assistant" : "user");
            w.WriteString("content", content.GetString());
            w.WriteEndObject();
            return null;
        }
        return assistant ? AssistantBlocks(w, content, at) : UserBlocks(w, content, at);
    }

    private static ApiError? UserBlocks(Utf8JsonWriter w, JsonElement blocks, string at)
    {
        List<JsonElement> parts = [];
        var index = 0;
        foreach (var block in blocks.EnumerateArray())
        {
            var blockAt = $"{at}.content.{index++}";
            var type = BlockType(block);
            switch (type)
            {
                case "tool_result":
                    if (!block.TryGetProperty("tool_use_id", out var id) || id.ValueKind != JsonValueKind.String)
                        return Refused($"{blockAt}.tool_use_id: Field required.", $"{blockAt}.tool_use_id", "missing_required_parameter").Error;
                    string result;
                    if (!block.TryGetProperty("content", out var resultContent) || resultContent.ValueKind == JsonValueKind.Null) result = "";
                    else if (resultContent.ValueKind == JsonValueKind.String) result = resultContent.GetString()!;
                    else if (resultContent.ValueKind == JsonValueKind.Array) result = BlocksText(resultContent);
                    else return TypeError($"{blockAt}.content", "a string or an array of content blocks");
                    w.WriteStartObject();
                    w.WriteString("role", "tool");
                    w.WriteString("tool_call_id", id.GetString());
                    w.WriteString("content", result);
                    w.WriteEndObject();
                    break;
                case "text" when block.TryGetProperty("text", out var text) && text.ValueKind == JsonValueKind.String:
                case "image":
                    parts.Add(block);
                    break;
                default:
                    return Unsupported(blockAt, type);
            }
        }
        if (parts.Count == 0) return null;
        w.WriteStartObject();
        w.WriteString("role", "user");
        w.WriteStartArray("content");
        for (var i = 0; i < parts.Count; i++)
        {
            var part = parts[i];
            w.WriteStartObject();
            if (BlockType(part) == "text")
            {
                w.WriteString("type", "text");
                w.WriteString("text", part.GetProperty("text").GetString());
            }
            else
            {
                if (ImageUrl(part) is not { } url) return Refused($"{at}: an image block needs a 'source' of type 'base64' (media_type, data) or 'url'.", at, "invalid_value").Error;
                w.WriteString("type", "image_url");
                w.WriteStartObject("image_url");
                w.WriteString("url", url);
                w.WriteEndObject();
            }
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
        return null;
    }

    private static ApiError? AssistantBlocks(Utf8JsonWriter w, JsonElement blocks, string at)
    {
        var text = new StringBuilder();
        List<ChatToolCall> calls = [];
        var index = 0;
        foreach (var block in blocks.EnumerateArray())
        {
            var blockAt = $"{at}.content.{index++}";
            switch (BlockType(block))
            {
                case "text" when block.TryGetProperty("text", out var t) && t.ValueKind == JsonValueKind.String:
                    text.Append(t.GetString());
                    break;
                case "tool_use":
                    if (!block.TryGetProperty("id", out var id) || id.ValueKind != JsonValueKind.String
                        || !block.TryGetProperty("name", out var name) || name.ValueKind != JsonValueKind.String)
                        return Refused($"{blockAt}: a tool_use block needs a string 'id' and 'name'.", blockAt, "missing_required_parameter").Error;
                    calls.Add(new ChatToolCall(id.GetString()!, name.GetString()!,
                        block.TryGetProperty("input", out var input) && input.ValueKind == JsonValueKind.Object ? input.GetRawText() : "{}"));
                    break;
                case "thinking" or "redacted_thinking":
                    break;
                case var other:
                    return Unsupported(blockAt, other);
            }
        }
        ChatAnswer.WriteAssistantMessage(w, text.Length == 0 && calls.Count > 0 ? null : text.ToString(), calls);
        return null;
    }

    private static ApiError? Tools(Utf8JsonWriter w, JsonElement tools)
    {
        if (tools.ValueKind == JsonValueKind.Null) return null;
        if (tools.ValueKind != JsonValueKind.Array) return TypeError("tools", "an array");
        if (tools.GetArrayLength() == 0) return null;
        w.WriteStartArray("tools");
        var index = 0;
        foreach (var tool in tools.EnumerateArray())
        {
            var at = $"tools.{index++}";
            if (tool.ValueKind != JsonValueKind.Object) return TypeError(at, "an object");
            if (tool.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String && !type.ValueEquals("custom"))
                return Refused($"{at}.type: server tools such as '{Clip(type.GetString()!)}' are not supported here; define client tools with name and input_schema.", $"{at}.type", "unsupported_value").Error;
            if (!tool.TryGetProperty("name", out var name) || name.ValueKind != JsonValueKind.String || name.GetString()!.Length == 0)
                return Refused($"{at}.name: Field required.", $"{at}.name", "missing_required_parameter").Error;
            if (!tool.TryGetProperty("input_schema", out var schema) || schema.ValueKind != JsonValueKind.Object)
                return Refused($"{at}.input_schema: Field required (an object).", $"{at}.input_schema", "missing_required_parameter").Error;
            w.WriteStartObject();
            w.WriteString("type", "function");
            w.WriteStartObject("function");
            w.WriteString("name", name.GetString());
            if (tool.TryGetProperty("description", out var description) && description.ValueKind == JsonValueKind.String) w.WriteString("description", description.GetString());
            w.WritePropertyName("parameters");
            schema.WriteTo(w);
            w.WriteEndObject();
            w.WriteEndObject();
        }
        w.WriteEndArray();
        return null;
    }

    private static ApiError? ToolChoice(Utf8JsonWriter w, JsonElement choice)
    {
        if (choice.ValueKind == JsonValueKind.Null) return null;
        if (choice.ValueKind != JsonValueKind.Object || !choice.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String)
            return TypeError("tool_choice", "an object with a 'type'");
        switch (type.GetString())
        {
            case "auto":
                w.WriteString("tool_choice", "auto");
                break;
            case "any":
                w.WriteString("tool_choice", "required");
                break;
            case "none":
                w.WriteString("tool_choice", "none");
                break;
            case "tool" when choice.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String:
                w.WriteStartObject("tool_choice");
                w.WriteString("type", "function");
                w.WriteStartObject("function");
                w.WriteString("name", name.GetString());
                w.WriteEndObject();
                w.WriteEndObject();
                break;
            default:
                return Refused("tool_choice.type: must be 'auto', 'any', 'none', or 'tool' with a 'name'.", "tool_choice.type", "invalid_value").Error;
        }
        if (choice.TryGetProperty("disable_parallel_tool_use", out var serial) && serial.ValueKind == JsonValueKind.True)
            w.WriteBoolean("parallel_tool_calls", false);
        return null;
    }

    /// <summary>A data URL for a base64 image, or the URL of a url image.</summary>
    private static string? ImageUrl(JsonElement block)
    {
        if (!block.TryGetProperty("source", out var source) || source.ValueKind != JsonValueKind.Object || !source.TryGetProperty("type", out var type)) return null;
        if (type.ValueEquals("url") && source.TryGetProperty("url", out var url) && url.ValueKind == JsonValueKind.String) return url.GetString();
        if (type.ValueEquals("base64") && source.TryGetProperty("media_type", out var media) && media.ValueKind == JsonValueKind.String
            && source.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.String)
            return $"data:{media.GetString()};base64,{data.GetString()}";
        return null;
    }

    private static string BlocksText(JsonElement blocks)
    {
        var text = new StringBuilder();
        foreach (var block in blocks.EnumerateArray())
        {
            if (BlockType(block) == "text" && block.TryGetProperty("text", out var t) && t.ValueKind == JsonValueKind.String) text.Append(t.GetString());
        }
        return text.ToString();
    }

    private static string? BlockType(JsonElement block) =>
        block.ValueKind == JsonValueKind.Object && block.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String ? type.GetString() : null;

    private static ApiError Unsupported(string at, string? type) => type is null
        ? Refused($"{at}: must be a content block object with a 'type'.", at, "invalid_type").Error!
        : Refused($"{at}.type: content blocks of type '{Clip(type)}' are not supported here (text, image, tool_use and tool_result are).", $"{at}.type", "unsupported_value").Error!;

    private static ApiError TypeError(string param, string what) => Refused($"{param}: must be {what}.", param, "invalid_type").Error!;

    private static SurfaceTranslation Refused(string message, string param, string code) =>
        SurfaceTranslation.Refused(ApiError.InvalidRequest(message, param, code));

    private static string Clip(string text) => text.Length <= 60 ? text : text[..60] + "…";
}
