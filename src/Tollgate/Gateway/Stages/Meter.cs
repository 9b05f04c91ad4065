using System.Text;
using System.Text.Json;
using Tollgate.Billing.Pricing;
using Tollgate.Storage;
using Tollgate.Tokenization;
using Tollgate.Upstreams;

namespace Tollgate.Gateway.Stages;

/// <summary>
/// Exact usage from the backend's own numbers; where they are missing, absurd or cut off, the
/// model's tokenizer counts what the request sent and what was forwarded. A response that
/// produced tokens is never metered as zero.
/// </summary>
internal sealed partial class Meter(TokenCounter counter, ILogger<Meter> logger)
{
    /// <summary>Sets <see cref="GatewayRequest.Usage"/> and its source from what the backend reported.</summary>
    public void Run(GatewayRequest request, TokenUsage? reported, Func<string>? outputText)
    {
        var outputCeiling = request.Operation == ModelOperation.ChatCompletions ? (long)request.OutputCap * request.Choices : 0;
        if (reported is { } usage && request.Status == UsageStatus.Completed && IsPlausible(request, usage, outputCeiling))
        {
            request.Usage = usage;
            request.UsageSource = UsageSource.Backend;
            return;
        }
        if (reported is not null && request.Status == UsageStatus.Completed)
            LogImplausibleUsage(logger, request.RequestId, request.Backend?.Id ?? "-");
        var encoding = request.Model.Tokenizer;
        var input = request.Operation == ModelOperation.Embeddings
            ? ChatTokenEstimator.CountEmbeddingInput(counter, encoding, request.Body.RootElement.GetProperty("input"))
            : ChatTokenEstimator.CountInput(counter, encoding, request.Body.RootElement);
        long output = outputText is null ? 0 : counter.Count(encoding, outputText());
        // Past the cap the backend was told to honour, the operator absorbs the excess, never the customer.
        request.Usage = new TokenUsage(input, 0, Math.Min(output, Math.Max(outputCeiling, 0)));
        request.UsageSource = UsageSource.Tokenizer;
    }

    /// <summary>The text of every choice in a non-streaming chat response, for counting.</summary>
    public static string CompletionText(JsonElement response)
    {
        var text = new StringBuilder();
        if (!response.TryGetProperty("choices", out var choices) || choices.ValueKind != JsonValueKind.Array) return "";
        foreach (var choice in choices.EnumerateArray())
        {
            if (choice.ValueKind == JsonValueKind.Object && choice.TryGetProperty("message", out var message))
                AppendMessageText(text, message);
        }
        return text.ToString();
    }

    /// <summary>Content, refusal, reasoning and tool-call text of a message or a stream delta.</summary>
    public static void AppendMessageText(StringBuilder text, JsonElement message)
    {
        if (message.ValueKind != JsonValueKind.Object) return;
        foreach (var field in message.EnumerateObject())
        {
            if (field.Value.ValueKind == JsonValueKind.String && field.Name is "content" or "refusal" or "reasoning_content" or "reasoning")
            {
                text.Append(field.Value.GetString());
            }
            else if (field.Name == "tool_calls" && field.Value.ValueKind == JsonValueKind.Array)
            {
                foreach (var call in field.Value.EnumerateArray())
                {
                    if (call.ValueKind == JsonValueKind.Object && call.TryGetProperty("function", out var function) && function.ValueKind == JsonValueKind.Object)
                    {
                        if (function.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String) text.Append(name.GetString());
                        if (function.TryGetProperty("arguments", out var args) && args.ValueKind == JsonValueKind.String) text.Append(args.GetString());
                    }
                }
            }
        }
    }

    /// <summary>
    /// A byte-level BPE token is at least one byte, so input can never exceed the request's size
    /// (plus the chat format's framing); output can never exceed the cap the backend was sent.
    /// </summary>
    private static bool IsPlausible(GatewayRequest request, TokenUsage usage, long outputCeiling)
    {
        if (!usage.IsConsistent) return false;
        var framing = request.Operation == ModelOperation.ChatCompletions
            ? 8L * request.Body.RootElement.GetProperty("messages").GetArrayLength() + 16
            : 0;
        if (usage.InputTokens > request.BodyBytes + framing) return false;
        if (request.Operation == ModelOperation.ChatCompletions && usage.OutputTokens > outputCeiling) return false;
        return usage.TotalTokens > 0 || request.Operation == ModelOperation.Embeddings;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Backend {BackendId} reported implausible usage for request {RequestId}; counted with the tokenizer instead")]
    private static partial void LogImplausibleUsage(ILogger logger, string requestId, string backendId);
}
