using System.Buffers;
using System.Text.Json;
using Tollgate.Billing;
using Tollgate.Gateway.Surfaces;

namespace Tollgate.Gateway.Responses;

/// <summary>
/// OpenAI's Responses API (<c>POST /v1/responses</c>) over the chat pipeline. Errors keep OpenAI's
/// shape. What the request set (instructions, tools, sampling) is echoed in the response object,
/// as OpenAI does.
/// </summary>
internal sealed class ResponsesSurface : WireSurface
{
    public string? Instructions { get; set; }
    public double? Temperature { get; set; }
    public double? TopP { get; set; }
    public bool ParallelToolCalls { get; set; } = true;
    public JsonElement? Tools { get; set; }
    public JsonElement? ToolChoice { get; set; }
    public JsonElement? TextFormat { get; set; }
    public JsonElement? Metadata { get; set; }
    public string? ReasoningEffort { get; set; }

    /// <summary>Set while the operator keeps responses (<see cref="ResponseStorageOptions.Enabled"/>); null otherwise.</summary>
    public ResponseStorage? Storage { get; init; }

    /// <summary>The request asked for its response to be kept (<c>store: true</c>), which only a surface with <see cref="Storage"/> accepts.</summary>
    public bool Store { get; set; }

    /// <summary>The finished response object as the client receives it, once written; what is kept.</summary>
    public byte[]? Answer { get; set; }

    /// <summary>The stored response this request continues (<c>previous_response_id</c>), as read before admission.</summary>
    public string? PreviousResponseId { get; init; }

    /// <summary>The conversation of <see cref="PreviousResponseId"/> as input items; null when it is not stored for this key.</summary>
    public string? Previous { get; init; }

    /// <summary>With storage on: the conversation up to this request (the previous one's, then this input) as input items.</summary>
    public byte[]? InputItems { get; set; }

    /// <summary>The request's own output cap, echoed; null when it left it to the model.</summary>
    public int? MaxOutputTokens { get; private set; }

    /// <summary>Stored responses do not exist while storage is off; cancelling and listing input items never do.</summary>
    public static ApiError NotStored() => new(StatusCodes.Status404NotFound, "invalid_request_error", "response_storage_disabled",
        "This Tollgate keeps no stored responses to retrieve, list or cancel (response storage is off, or the operation is not offered). Send the whole conversation in 'input' with each request.");

    public override Task KeepAsync(GatewayRequest request) =>
        Store && Storage is { } storage && Answer is { } answer ? storage.KeepAsync(request, Ids.Of(request.RequestId), answer, InputItems ?? []) : Task.CompletedTask;

    public override SurfaceTranslation ToChat(JsonElement root)
    {
        if (root.TryGetProperty("max_output_tokens", out var cap) && cap.TryReadInt32(out var asked)) MaxOutputTokens = asked;
        return ResponsesRequest.ToChat(root, this);
    }

    public override ApiError Rename(ApiError error) => error.Param is "max_completion_tokens" or "max_tokens"
        ? error with
        {
            Param = "max_output_tokens",
            Message = error.Message.Replace("'max_completion_tokens'", "'max_output_tokens'", StringComparison.Ordinal)
                .Replace("'max_tokens'", "'max_output_tokens'", StringComparison.Ordinal)
                .Replace("completion tokens", "output tokens", StringComparison.Ordinal),
        }
        // The reservation's refusal suggests an output cap: in this surface's field.
        : error with { Message = error.Message.Replace("largest max_tokens", "largest max_output_tokens", StringComparison.Ordinal) };

    public override void WriteResponse(IBufferWriter<byte> output, JsonElement completion, GatewayRequest request)
    {
        var answer = ChatAnswer.Read(completion);
        Answer = ChatAnswer.Json(w => WriteObject(w, request, Ids.Of(request.RequestId), answer.Created, Finished(answer.FinishReason), o =>
        {
            var index = 0;
            if (answer.Text.Length > 0 || answer.ToolCalls.Count == 0) WriteMessageItem(o, Ids.Message(request.RequestId), answer.Text, "completed");
            foreach (var call in answer.ToolCalls) WriteFunctionCall(o, Ids.FunctionCall(request.RequestId, index++), call.Id, call.Name, call.Arguments, "completed");
        }, withUsage: true));
        output.Write(Answer);
    }

    public override SurfaceStream OpenStream(GatewayRequest request) => new ResponsesStream(this, request);

    /// <summary><c>completed</c>, or <c>incomplete</c> with its reason when the output cap or a filter cut the answer.</summary>
    public static (string Status, string? Reason) Finished(string? finishReason) => finishReason switch
    {
        "length" => ("incomplete", "max_output_tokens"),
        "content_filter" => ("incomplete", "content_filter"),
        _ => ("completed", null),
    };

    /// <summary>The response object, as the answer, in <c>response.created</c> and in <c>response.completed</c>.</summary>
    public void WriteObject(Utf8JsonWriter w, GatewayRequest request, string id, long createdAt, (string Status, string? Reason) state,
        Action<Utf8JsonWriter> writeOutput, bool withUsage)
    {
        w.WriteStartObject();
        w.WriteString("id", id);
        w.WriteString("object", "response");
        var created = createdAt > 0 ? createdAt : request.StartedAt.ToUnixTimeSeconds();
        w.WriteNumber("created_at", created);
        w.WriteString("status", state.Status);
        if (state.Status == "in_progress") w.WriteNull("completed_at");
        else w.WriteNumber("completed_at", created + request.ElapsedMs / 1000);
        w.WriteNull("error");
        if (state.Reason is null)
        {
            w.WriteNull("incomplete_details");
        }
        else
        {
            w.WriteStartObject("incomplete_details");
            w.WriteString("reason", state.Reason);
            w.WriteEndObject();
        }
        if (Instructions is null) w.WriteNull("instructions");
        else w.WriteString("instructions", Instructions);
        if (MaxOutputTokens is { } cap) w.WriteNumber("max_output_tokens", cap);
        else w.WriteNull("max_output_tokens");
        w.WriteString("model", request.Model?.Id ?? "");
        w.WriteStartArray("output");
        writeOutput(w);
        w.WriteEndArray();
        w.WriteBoolean("parallel_tool_calls", ParallelToolCalls);
        if (PreviousResponseId is null) w.WriteNull("previous_response_id");
        else w.WriteString("previous_response_id", PreviousResponseId);
        w.WriteStartObject("reasoning");
        if (ReasoningEffort is null) w.WriteNull("effort");
        else w.WriteString("effort", ReasoningEffort);
        w.WriteNull("summary");
        w.WriteEndObject();
        w.WriteBoolean("store", Store);
        w.WriteNumber("temperature", Temperature ?? 1);
        w.WriteStartObject("text");
        w.WritePropertyName("format");
        if (TextFormat is { } format) format.WriteTo(w);
        else
        {
            w.WriteStartObject();
            w.WriteString("type", "text");
            w.WriteEndObject();
        }
        w.WriteEndObject();
        w.WritePropertyName("tool_choice");
        if (ToolChoice is { } choice) choice.WriteTo(w);
        else w.WriteStringValue("auto");
        w.WriteStartArray("tools");
        if (Tools is { } tools)
        {
            // Function tools as OpenAI echoes them: every field present, null where the request left it out.
            foreach (var tool in tools.EnumerateArray())
            {
                w.WriteStartObject();
                w.WriteString("type", "function");
                foreach (var name in (string[])["name", "description", "parameters", "strict"])
                {
                    w.WritePropertyName(name);
                    if (tool.TryGetProperty(name, out var value)) value.WriteTo(w);
                    else w.WriteNullValue();
                }
                w.WriteEndObject();
            }
        }
        w.WriteEndArray();
        w.WriteNumber("top_p", TopP ?? 1);
        w.WriteString("truncation", "disabled");
        // Until the end the usage is unknown: left out (the published schema allows no null).
        if (withUsage) WriteUsage(w, request);
        w.WritePropertyName("metadata");
        if (Metadata is { } metadata) metadata.WriteTo(w);
        else
        {
            w.WriteStartObject();
            w.WriteEndObject();
        }
        w.WriteEndObject();
    }

    /// <summary>The billed numbers (what the meter settled on), with <c>cost</c>, the charged amount, as on chat.</summary>
    private static void WriteUsage(Utf8JsonWriter w, GatewayRequest request)
    {
        var usage = request.Usage;
        w.WriteStartObject("usage");
        w.WriteNumber("input_tokens", usage.InputTokens);
        w.WriteStartObject("input_tokens_details");
        w.WriteNumber("cached_tokens", usage.CachedInputTokens);
        w.WriteNumber("cache_write_tokens", usage.CacheWriteTokens);
        w.WriteEndObject();
        w.WriteNumber("output_tokens", usage.OutputTokens);
        w.WriteStartObject("output_tokens_details");
        w.WriteNumber("reasoning_tokens", usage.ReasoningTokens);
        w.WriteEndObject();
        w.WriteNumber("total_tokens", usage.TotalTokens);
        w.WritePropertyName("cost");
        w.WriteRawValue(Money.Format(request.ChargedAmount), skipInputValidation: true);
        w.WriteEndObject();
    }

    public static void WriteMessageItem(Utf8JsonWriter w, string id, string? text, string status)
    {
        w.WriteStartObject();
        w.WriteString("id", id);
        w.WriteString("type", "message");
        w.WriteString("status", status);
        w.WriteString("role", "assistant");
        w.WriteStartArray("content");
        if (text is not null) WriteTextPart(w, text);
        w.WriteEndArray();
        w.WriteEndObject();
    }

    public static void WriteTextPart(Utf8JsonWriter w, string text)
    {
        w.WriteStartObject();
        w.WriteString("type", "output_text");
        w.WriteString("text", text);
        w.WriteStartArray("annotations");
        w.WriteEndArray();
        w.WriteStartArray("logprobs");
        w.WriteEndArray();
        w.WriteEndObject();
    }

    public static void WriteFunctionCall(Utf8JsonWriter w, string id, string callId, string name, string arguments, string status)
    {
        w.WriteStartObject();
        w.WriteString("id", id);
        w.WriteString("type", "function_call");
        w.WriteString("status", status);
        w.WriteString("call_id", callId);
        w.WriteString("name", name);
        w.WriteString("arguments", arguments);
        w.WriteEndObject();
    }

    /// <summary>Ids derived from the request id, so a response can be traced to its usage event.</summary>
    public static class Ids
    {
        public static string Of(string requestId) => "resp_" + Clean(requestId);
        public static string Message(string requestId) => "msg_" + Clean(requestId);
        public static string FunctionCall(string requestId, int index) => $"fc_{Clean(requestId)}_{index}";
        private static string Clean(string requestId) => requestId.StartsWith("req_", StringComparison.Ordinal) ? requestId[4..] : requestId;
    }
}
