using System.Text.Json;
using Tollgate.Gateway.Surfaces;

namespace Tollgate.Gateway.Responses;

/// <summary>
/// Translates a Responses API request (<c>input</c>, <c>instructions</c>, <c>max_output_tokens</c>,
/// function tools and their outputs) into a chat-completions body. Stateful features conflict
/// with keeping no prompts: <c>store: true</c> is refused unless the operator turned response
/// storage on, and so is <c>previous_response_id</c> (with storage on, the stored conversation it
/// names comes before this request's input); <c>conversation</c>, <c>background</c> and stored
/// prompts are always refused, naming the field.
/// </summary>
internal static class ResponsesRequest
{
    private const string NoStorage = "Tollgate keeps no prompts or responses (zero retention), so";

    public static SurfaceTranslation ToChat(JsonElement root, ResponsesSurface echo)
    {
        if (Refusal(root, echo.Storage is not null) is { } refused) return SurfaceTranslation.Refused(refused);
        echo.Store = root.TryGetProperty("store", out var store) && store.ValueKind == JsonValueKind.True;
        if (!root.TryGetProperty("input", out var input) || input.ValueKind == JsonValueKind.Null)
            return SurfaceTranslation.Refused(ApiError.InvalidRequest("You must provide an input parameter.", "input", "missing_required_parameter"));
        if (input.ValueKind == JsonValueKind.String ? input.GetString()!.Length == 0 : input.ValueKind != JsonValueKind.Array || input.GetArrayLength() == 0)
            return SurfaceTranslation.Refused(ApiError.InvalidRequest("'input' must be a non-empty string or a non-empty array of input items.", "input"));
        if (echo.Storage is not null && root.TryGetProperty("previous_response_id", out var named) && named.ValueKind != JsonValueKind.Null
            && (named.ValueKind != JsonValueKind.String || named.GetString() != echo.PreviousResponseId || echo.Previous is null))
            return SurfaceTranslation.Refused(new ApiError(StatusCodes.Status400BadRequest, "invalid_request_error", "previous_response_not_found",
                $"Previous response with id '{(named.ValueKind == JsonValueKind.String ? named.GetString() : named.GetRawText())}' not found (responses are stored for the key that created them, until their retention ends).",
                "previous_response_id"));
        // With storage on, the conversation so far is kept as input items: the stored one this request continues, then its own input.
        using var items = echo.Storage is null ? null : JsonDocument.Parse(echo.InputItems = Items(echo.Previous, input));
        if (items is not null) input = items.RootElement;
        ApiError? error = null;
        var body = ChatAnswer.Json(w =>
        {
            w.WriteStartObject();
            // On the first refusal the half-written body is dropped.
            foreach (var property in root.EnumerateObject())
            {
                if ((error = Field(w, property, echo)) is not null) return;
            }
            w.WriteStartArray("messages");
            if (root.TryGetProperty("instructions", out var instructions) && instructions.ValueKind == JsonValueKind.String)
                WriteMessage(w, "system", instructions.GetString()!);
            if ((error = Input(w, input)) is not null) return;
            w.WriteEndArray();
            w.WriteEndObject();
        });
        return error is null ? SurfaceTranslation.Of(body) : SurfaceTranslation.Refused(error);
    }

    /// <summary>The stored conversation (input items), then this request's input as items.</summary>
    private static byte[] Items(string? previous, JsonElement input) => ChatAnswer.Json(w =>
    {
        w.WriteStartArray();
        if (previous is not null)
        {
            using var prior = JsonDocument.Parse(previous);
            foreach (var item in prior.RootElement.EnumerateArray()) item.WriteTo(w);
        }
        if (input.ValueKind == JsonValueKind.String)
        {
            w.WriteStartObject();
            w.WriteString("role", "user");
            w.WriteString("content", input.GetString());
            w.WriteEndObject();
        }
        else
        {
            foreach (var item in input.EnumerateArray()) item.WriteTo(w);
        }
        w.WriteEndArray();
    });

    private static ApiError? Refusal(JsonElement root, bool storageOn)
    {
        if (!storageOn && root.TryGetProperty("store", out var store) && store.ValueKind == JsonValueKind.True)
            return ApiError.InvalidRequest($"{NoStorage} 'store' must be false or left out.", "store", "unsupported_parameter");
        foreach (var name in storageOn ? (string[])["conversation", "prompt"] : ["previous_response_id", "conversation", "prompt"])
        {
            if (root.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null)
                return ApiError.InvalidRequest($"{NoStorage} '{name}' is not supported: send the whole conversation in 'input'.", name, "unsupported_parameter");
        }
        if (root.TryGetProperty("background", out var background) && background.ValueKind == JsonValueKind.True)
            return ApiError.InvalidRequest($"{NoStorage} 'background' responses are not supported.", "background", "unsupported_parameter");
        return null;
    }

    /// <summary>Writes the chat field for one top-level field, or returns why it is refused.</summary>
    private static ApiError? Field(Utf8JsonWriter w, JsonProperty property, ResponsesSurface echo)
    {
        var value = property.Value;
        switch (property.Name)
        {
            case "model":
                value.WriteTo(w.WithName("model"));
                return null;
            case "instructions":
                if (value.ValueKind is not (JsonValueKind.String or JsonValueKind.Null)) return TypeError("instructions", "a string");
                echo.Instructions = value.ValueKind == JsonValueKind.String ? value.GetString() : null;
                return null;
            case "max_output_tokens":
                if (value.ValueKind == JsonValueKind.Null) return null;
                if (!value.TryReadInt32(out var cap) || cap < 1) return TypeError("max_output_tokens", "a positive integer");
                w.WriteNumber("max_completion_tokens", cap);
                return null;
            case "temperature" or "top_p":
                if (value.ValueKind == JsonValueKind.Null) return null;
                if (value.ValueKind != JsonValueKind.Number) return TypeError(property.Name, "a number");
                w.WritePropertyName(property.Name);
                value.WriteTo(w);
                if (property.Name == "temperature") echo.Temperature = value.GetDouble();
                else echo.TopP = value.GetDouble();
                return null;
            case "stream":
                if (value.ValueKind is not (JsonValueKind.True or JsonValueKind.False or JsonValueKind.Null)) return TypeError("stream", "a boolean");
                w.WriteBoolean("stream", value.ValueKind == JsonValueKind.True);
                return null;
            case "parallel_tool_calls":
                if (value.ValueKind == JsonValueKind.Null) return null;
                if (value.ValueKind is not (JsonValueKind.True or JsonValueKind.False)) return TypeError("parallel_tool_calls", "a boolean");
                w.WriteBoolean("parallel_tool_calls", value.ValueKind == JsonValueKind.True);
                echo.ParallelToolCalls = value.ValueKind == JsonValueKind.True;
                return null;
            case "tools":
                return Tools(w, value, echo);
            case "tool_choice":
                return ToolChoice(w, value, echo);
            case "text":
                return Text(w, value, echo);
            case "reasoning":
                if (value.ValueKind == JsonValueKind.Null) return null;
                if (value.ValueKind != JsonValueKind.Object) return TypeError("reasoning", "an object");
                if (value.TryGetProperty("effort", out var effort) && effort.ValueKind == JsonValueKind.String)
                {
                    w.WriteString("reasoning_effort", effort.GetString());
                    echo.ReasoningEffort = effort.GetString();
                }
                return null;
            case "user" or "safety_identifier":
                if (value.ValueKind == JsonValueKind.Null) return null;
                if (value.ValueKind != JsonValueKind.String) return TypeError(property.Name, "a string");
                if (property.Name == "user") w.WriteString("user", value.GetString());
                return null;
            case "metadata":
                if (value.ValueKind is not (JsonValueKind.Object or JsonValueKind.Null)) return TypeError("metadata", "an object");
                if (value.ValueKind == JsonValueKind.Object) echo.Metadata = value.Clone();
                return null;
            default:
                // input, store and the fields that only tune OpenAI's own service (include, truncation, service_tier, …).
                return null;
        }
    }

    private static Utf8JsonWriter WithName(this Utf8JsonWriter w, string name)
    {
        w.WritePropertyName(name);
        return w;
    }

    private static ApiError? Tools(Utf8JsonWriter w, JsonElement tools, ResponsesSurface echo)
    {
        if (tools.ValueKind == JsonValueKind.Null) return null;
        if (tools.ValueKind != JsonValueKind.Array) return TypeError("tools", "an array");
        if (tools.GetArrayLength() == 0) return null;
        w.WriteStartArray("tools");
        var index = 0;
        foreach (var tool in tools.EnumerateArray())
        {
            var at = $"tools[{index++}]";
            if (tool.ValueKind != JsonValueKind.Object || !tool.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String)
                return ApiError.InvalidRequest($"'{at}' must be an object with a 'type'.", at);
            if (!type.ValueEquals("function"))
                return ApiError.InvalidRequest($"Tool type '{Clip(type.GetString()!)}' is not supported here: only 'function' tools are.", $"{at}.type", "unsupported_value");
            if (!tool.TryGetProperty("name", out var name) || name.ValueKind != JsonValueKind.String || name.GetString()!.Length == 0)
                return ApiError.InvalidRequest($"'{at}.name' must be a non-empty string.", $"{at}.name", "missing_required_parameter");
            w.WriteStartObject();
            w.WriteString("type", "function");
            w.WriteStartObject("function");
            foreach (var field in tool.EnumerateObject())
            {
                if (field.Name is "name" or "description" or "parameters" or "strict" && field.Value.ValueKind != JsonValueKind.Null) field.WriteTo(w);
            }
            w.WriteEndObject();
            w.WriteEndObject();
        }
        w.WriteEndArray();
        echo.Tools = tools.Clone();
        return null;
    }

    private static ApiError? ToolChoice(Utf8JsonWriter w, JsonElement choice, ResponsesSurface echo)
    {
        switch (choice.ValueKind)
        {
            case JsonValueKind.Null:
                return null;
            case JsonValueKind.String when choice.ValueEquals("auto") || choice.ValueEquals("none") || choice.ValueEquals("required"):
                choice.WriteTo(w.WithName("tool_choice"));
                echo.ToolChoice = choice.Clone();
                return null;
            case JsonValueKind.Object when choice.TryGetProperty("type", out var type) && type.ValueEquals("function")
                                           && choice.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String:
                w.WriteStartObject("tool_choice");
                w.WriteString("type", "function");
                w.WriteStartObject("function");
                w.WriteString("name", name.GetString());
                w.WriteEndObject();
                w.WriteEndObject();
                echo.ToolChoice = choice.Clone();
                return null;
            default:
                return ApiError.InvalidRequest("'tool_choice' must be 'auto', 'none', 'required' or {\"type\":\"function\",\"name\":…}.", "tool_choice");
        }
    }

    private static ApiError? Text(Utf8JsonWriter w, JsonElement text, ResponsesSurface echo)
    {
        if (text.ValueKind == JsonValueKind.Null) return null;
        if (text.ValueKind != JsonValueKind.Object) return TypeError("text", "an object");
        if (!text.TryGetProperty("format", out var format) || format.ValueKind == JsonValueKind.Null) return null;
        if (format.ValueKind != JsonValueKind.Object || !format.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String)
            return ApiError.InvalidRequest("'text.format' must be an object with a 'type'.", "text.format");
        echo.TextFormat = format.Clone();
        if (type.ValueEquals("text")) return null;
        if (type.ValueEquals("json_object"))
        {
            w.WriteStartObject("response_format");
            w.WriteString("type", "json_object");
            w.WriteEndObject();
            return null;
        }
        if (!type.ValueEquals("json_schema"))
            return ApiError.InvalidRequest("'text.format.type' must be 'text', 'json_object' or 'json_schema'.", "text.format.type");
        w.WriteStartObject("response_format");
        w.WriteString("type", "json_schema");
        w.WriteStartObject("json_schema");
        foreach (var field in format.EnumerateObject())
        {
            if (field.Name is "name" or "schema" or "strict" or "description" && field.Value.ValueKind != JsonValueKind.Null) field.WriteTo(w);
        }
        w.WriteEndObject();
        w.WriteEndObject();
        return null;
    }

    /// <summary>
    /// Input items as chat messages. Consecutive <c>function_call</c> items become one assistant
    /// message's <c>tool_calls</c>, joined to the assistant message just before them.
    /// </summary>
    private static ApiError? Input(Utf8JsonWriter w, JsonElement input)
    {
        if (input.ValueKind == JsonValueKind.String)
        {
            WriteMessage(w, "user", input.GetString()!);
            return null;
        }
        string? assistantText = null;
        List<ChatToolCall> calls = [];
        var index = 0;
        foreach (var item in input.EnumerateArray())
        {
            var at = $"input[{index++}]";
            if (item.ValueKind != JsonValueKind.Object)
                return ApiError.InvalidRequest($"'{at}' must be an input item object.", at);
            var type = item.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()! : "message";
            if (type == "function_call")
            {
                if (!item.TryGetProperty("call_id", out var callId) || callId.ValueKind != JsonValueKind.String
                    || !item.TryGetProperty("name", out var name) || name.ValueKind != JsonValueKind.String)
                    return ApiError.InvalidRequest($"'{at}' must have a string 'call_id' and 'name'.", at);
                if (item.TryGetProperty("arguments", out var args) && args.ValueKind is not (JsonValueKind.String or JsonValueKind.Null))
                    return TypeError($"{at}.arguments", "a string");
                calls.Add(new ChatToolCall(callId.GetString()!, name.GetString()!, args.ValueKind == JsonValueKind.String ? args.GetString()! : "{}"));
                continue;
            }
            if (type == "reasoning") continue;
            if (type == "message" && item.TryGetProperty("role", out var r) && r.ValueEquals("assistant"))
            {
                // Held: function calls that follow belong to the same assistant turn.
                FlushAssistant(w, ref assistantText, calls);
                if (ReadText(item, at, out var said) is { } bad) return bad;
                assistantText = said;
                continue;
            }
            FlushAssistant(w, ref assistantText, calls);
            switch (type)
            {
                case "function_call_output":
                    if (!item.TryGetProperty("call_id", out var outputOf) || outputOf.ValueKind != JsonValueKind.String)
                        return ApiError.InvalidRequest($"'{at}.call_id' must be a string.", $"{at}.call_id", "missing_required_parameter");
                    if (!item.TryGetProperty("output", out var output) || output.ValueKind is not (JsonValueKind.String or JsonValueKind.Array))
                        return TypeError($"{at}.output", "a string or an array of content parts");
                    w.WriteStartObject();
                    w.WriteString("role", "tool");
                    w.WriteString("tool_call_id", outputOf.GetString());
                    w.WriteString("content", output.ValueKind == JsonValueKind.String ? output.GetString() : PartsText(output));
                    w.WriteEndObject();
                    break;
                case "message":
                    if (Message(w, item, at) is { } invalid) return invalid;
                    break;
                default:
                    return ApiError.InvalidRequest(
                        $"Input item type '{Clip(type)}' is not supported here: send messages, function_call and function_call_output items.", $"{at}.type", "unsupported_value");
            }
        }
        FlushAssistant(w, ref assistantText, calls);
        return null;
    }

    private static void FlushAssistant(Utf8JsonWriter w, ref string? text, List<ChatToolCall> calls)
    {
        if (text is null && calls.Count == 0) return;
        ChatAnswer.WriteAssistantMessage(w, text, calls);
        text = null;
        calls.Clear();
    }

    private static ApiError? Message(Utf8JsonWriter w, JsonElement item, string at)
    {
        if (!item.TryGetProperty("role", out var role) || role.ValueKind != JsonValueKind.String)
            return ApiError.InvalidRequest($"'{at}.role' must be a string.", $"{at}.role", "missing_required_parameter");
        var name = role.GetString();
        if (name is not ("user" or "system" or "developer"))
            return ApiError.InvalidRequest($"'{at}.role' must be 'user', 'assistant', 'system' or 'developer'.", $"{at}.role", "invalid_value");
        if (!item.TryGetProperty("content", out var content) || content.ValueKind is not (JsonValueKind.String or JsonValueKind.Array))
            return TypeError($"{at}.content", "a string or an array of content parts");
        w.WriteStartObject();
        w.WriteString("role", name);
        if (content.ValueKind == JsonValueKind.String)
        {
            w.WriteString("content", content.GetString());
            w.WriteEndObject();
            return null;
        }
        w.WriteStartArray("content");
        var index = 0;
        foreach (var part in content.EnumerateArray())
        {
            var partAt = $"{at}.content[{index++}]";
            var type = part.ValueKind == JsonValueKind.Object && part.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
            switch (type)
            {
                case "input_text" or "output_text" when part.TryGetProperty("text", out var text) && text.ValueKind == JsonValueKind.String:
                    w.WriteStartObject();
                    w.WriteString("type", "text");
                    w.WriteString("text", text.GetString());
                    w.WriteEndObject();
                    break;
                case "input_image" when part.TryGetProperty("image_url", out var url) && url.ValueKind == JsonValueKind.String:
                    w.WriteStartObject();
                    w.WriteString("type", "image_url");
                    w.WriteStartObject("image_url");
                    w.WriteString("url", url.GetString());
                    if (part.TryGetProperty("detail", out var detail) && detail.ValueKind == JsonValueKind.String) w.WriteString("detail", detail.GetString());
                    w.WriteEndObject();
                    w.WriteEndObject();
                    break;
                default:
                    return ApiError.InvalidRequest(
                        $"'{partAt}' must be an input_text part with 'text' or an input_image part with an 'image_url' (files are not supported here).", partAt, "unsupported_value");
            }
        }
        w.WriteEndArray();
        w.WriteEndObject();
        return null;
    }

    private static ApiError? ReadText(JsonElement item, string at, out string text)
    {
        text = "";
        if (!item.TryGetProperty("content", out var content) || content.ValueKind is not (JsonValueKind.String or JsonValueKind.Array))
            return TypeError($"{at}.content", "a string or an array of content parts");
        text = content.ValueKind == JsonValueKind.String ? content.GetString()! : PartsText(content);
        return null;
    }

    private static string PartsText(JsonElement parts)
    {
        var text = new System.Text.StringBuilder();
        foreach (var part in parts.EnumerateArray())
        {
            if (part.ValueKind == JsonValueKind.Object && part.TryGetProperty("text", out var t) && t.ValueKind == JsonValueKind.String) text.Append(t.GetString());
            else if (part.ValueKind == JsonValueKind.Object && part.TryGetProperty("refusal", out var refusal) && refusal.ValueKind == JsonValueKind.String) text.Append(refusal.GetString());
        }
        return text.ToString();
    }

    private static void WriteMessage(Utf8JsonWriter w, string role, string content)
    {
        w.WriteStartObject();
        w.WriteString("role", role);
        w.WriteString("content", content);
        w.WriteEndObject();
    }

    private static ApiError TypeError(string param, string what) =>
        ApiError.InvalidRequest($"'{param}' must be {what}.", param, "invalid_type");

    private static string Clip(string text) => text.Length <= 60 ? text : text[..60] + "…";
}
