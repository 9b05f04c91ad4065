using System.Buffers;
using System.Text.Json;
using Tollgate.Billing;
using Tollgate.Gateway.Surfaces;

namespace Tollgate.Gateway.Messages;

/// <summary>
/// Anthropic's Messages API (<c>POST /v1/messages</c>) over the chat pipeline: the key may come in
/// <c>x-api-key</c>, errors take Anthropic's shape and status codes, and usage is told in its
/// terms (<c>input_tokens</c> excludes cache reads, which are <c>cache_read_input_tokens</c>).
/// </summary>
internal sealed class MessagesSurface(bool forCounting = false) : WireSurface
{
    public override bool AcceptsApiKeyHeader => true;

    public override SurfaceTranslation ToChat(JsonElement root) => MessagesRequest.ToChat(root, forCounting);

    private string? _requestId;

    public override void WriteHeaders(HttpResponse response, string requestId)
    {
        _requestId = requestId;
        response.Headers["request-id"] = requestId;
    }

    public override void WriteResponse(IBufferWriter<byte> output, JsonElement completion, GatewayRequest request)
    {
        var answer = ChatAnswer.Read(completion);
        using var w = new Utf8JsonWriter(output, Hosting.JsonWriting.Options);
        w.WriteStartObject();
        w.WriteString("id", MessageId(request.RequestId));
        w.WriteString("type", "message");
        w.WriteString("role", "assistant");
        w.WriteString("model", request.Model.Id);
        w.WriteStartArray("content");
        if (answer.Text.Length > 0 || answer.ToolCalls.Count == 0)
        {
            w.WriteStartObject();
            w.WriteString("type", "text");
            w.WriteString("text", answer.Text);
            w.WriteEndObject();
        }
        foreach (var call in answer.ToolCalls)
        {
            w.WriteStartObject();
            w.WriteString("type", "tool_use");
            w.WriteString("id", call.Id);
            w.WriteString("name", call.Name);
            w.WritePropertyName("input");
            WriteInput(w, call.Arguments);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteString("stop_reason", StopReason(answer.FinishReason, answer.ToolCalls.Count > 0));
        w.WriteNull("stop_sequence");
        WriteUsage(w, request, "usage");
        w.WriteEndObject();
    }

    public override SurfaceStream OpenStream(GatewayRequest request) => new MessagesStream(request);

    /// <summary>Anthropic's status for each refusal: 529 for a model at capacity, as its clients expect.</summary>
    public override int StatusOf(ApiError error) => error.Code == "model_overloaded" ? 529 : error.Status;

    public override byte[] ErrorJson(ApiError error) => ErrorJson(StatusOf(error), error.Message, _requestId);

    public override byte[] PassThrough(int status, byte[] body)
    {
        var message = $"The backend refused the request ({status}).";
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("error", out var error))
            {
                if (error.ValueKind == JsonValueKind.Object && error.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String) message = m.GetString()!;
                // Already Anthropic's shape (an Anthropic backend): as it is.
                if (document.RootElement.TryGetProperty("type", out var type) && type.ValueEquals("error")) return body;
            }
        }
        catch (JsonException)
        {
        }
        return ErrorJson(status, message, _requestId);
    }

    /// <summary><c>{"type":"error","error":{"type","message"}}</c>, the type from the status as Anthropic assigns them.</summary>
    public static byte[] ErrorJson(int status, string message, string? requestId) => ChatAnswer.Json(w =>
    {
        w.WriteStartObject();
        w.WriteString("type", "error");
        w.WriteStartObject("error");
        w.WriteString("type", ErrorType(status));
        w.WriteString("message", message);
        w.WriteEndObject();
        if (requestId is not null) w.WriteString("request_id", requestId);
        w.WriteEndObject();
    });

    public static string ErrorType(int status) => status switch
    {
        400 => "invalid_request_error",
        401 => "authentication_error",
        402 => "billing_error",
        403 => "permission_error",
        404 => "not_found_error",
        413 => "request_too_large",
        429 => "rate_limit_error",
        529 => "overloaded_error",
        504 => "timeout_error",
        >= 400 and < 500 => "invalid_request_error",
        _ => "api_error",
    };

    public static string StopReason(string? finishReason, bool calledTools) => finishReason switch
    {
        "length" => "max_tokens",
        "tool_calls" or "function_call" => "tool_use",
        "content_filter" => "refusal",
        _ => calledTools ? "tool_use" : "end_turn",
    };

    public static string MessageId(string requestId) => "msg_" + (requestId.StartsWith("req_", StringComparison.Ordinal) ? requestId[4..] : requestId);

    /// <summary>
    /// The billed numbers in Anthropic's terms: <c>input_tokens</c> is input neither read from nor
    /// written to the prompt cache, and the two cache classes are their own fields.
    /// </summary>
    public static void WriteUsage(Utf8JsonWriter w, GatewayRequest request, string name)
    {
        var usage = request.Usage;
        w.WriteStartObject(name);
        w.WriteNumber("input_tokens", usage.UncachedInputTokens);
        w.WriteNumber("cache_creation_input_tokens", usage.CacheWriteTokens);
        w.WriteNumber("cache_read_input_tokens", usage.CachedInputTokens);
        w.WriteNumber("output_tokens", usage.OutputTokens);
        w.WritePropertyName("cost");
        w.WriteRawValue(Money.Format(request.ChargedAmount), skipInputValidation: true);
        w.WriteEndObject();
    }

    /// <summary>A tool call's arguments as the <c>input</c> object; arguments that are not a JSON object become <c>{}</c>.</summary>
    public static void WriteInput(Utf8JsonWriter w, string arguments)
    {
        try
        {
            using var document = JsonDocument.Parse(arguments);
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                document.RootElement.WriteTo(w);
                return;
            }
        }
        catch (JsonException)
        {
        }
        w.WriteStartObject();
        w.WriteEndObject();
    }
}
