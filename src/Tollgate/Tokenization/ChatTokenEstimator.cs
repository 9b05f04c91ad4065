using System.Text.Json;

namespace Tollgate.Tokenization;

/// <summary>
/// Counts a chat request's input the way OpenAI's chat format frames it: every message adds a
/// few framing tokens and the reply is primed with a few more; tool definitions count as their JSON.
/// </summary>
internal static class ChatTokenEstimator
{
    private const int TokensPerMessage = 3;
    private const int TokensPerName = 1;
    private const int ReplyPriming = 3;

    public static long CountInput(TokenCounter counter, string encoding, JsonElement request)
    {
        long total = ReplyPriming;
        if (request.TryGetProperty("messages", out var messages) && messages.ValueKind == JsonValueKind.Array)
        {
            foreach (var message in messages.EnumerateArray())
            {
                total += TokensPerMessage;
                if (message.ValueKind != JsonValueKind.Object) continue;
                foreach (var field in message.EnumerateObject())
                {
                    total += field.Name switch
                    {
                        "role" or "tool_call_id" => CountText(counter, encoding, field.Value),
                        "name" => TokensPerName + CountText(counter, encoding, field.Value),
                        "content" => CountContent(counter, encoding, field.Value),
                        "tool_calls" or "function_call" => counter.Count(encoding, field.Value.GetRawText()),
                        _ => 0,
                    };
                }
            }
        }
        foreach (var name in (string[])["tools", "functions", "response_format"])
        {
            if (request.TryGetProperty(name, out var definitions) && definitions.ValueKind is JsonValueKind.Array or JsonValueKind.Object)
                total += counter.Count(encoding, definitions.GetRawText());
        }
        return total;
    }

    /// <summary>Embeddings input: a string, an array of strings, or pre-tokenized arrays of ids.</summary>
    public static long CountEmbeddingInput(TokenCounter counter, string encoding, JsonElement input) => input.ValueKind switch
    {
        JsonValueKind.String => counter.Count(encoding, input.GetString()),
        JsonValueKind.Array => input.EnumerateArray().Sum(item => item.ValueKind switch
        {
            JsonValueKind.Number => 1L,
            JsonValueKind.Array => item.GetArrayLength(),
            JsonValueKind.String => counter.Count(encoding, item.GetString()),
            _ => 0L,
        }),
        _ => 0,
    };

    private static long CountContent(TokenCounter counter, string encoding, JsonElement content)
    {
        if (content.ValueKind == JsonValueKind.String) return counter.Count(encoding, content.GetString());
        if (content.ValueKind != JsonValueKind.Array) return 0;
        long total = 0;
        foreach (var part in content.EnumerateArray())
        {
            if (part.ValueKind == JsonValueKind.Object && part.TryGetProperty("text", out var text))
                total += CountText(counter, encoding, text);
            else if (part.ValueKind == JsonValueKind.Object)
                total += counter.Count(encoding, part.GetRawText());
        }
        return total;
    }

    private static long CountText(TokenCounter counter, string encoding, JsonElement value) =>
        value.ValueKind == JsonValueKind.String ? counter.Count(encoding, value.GetString()) : 0;
}
