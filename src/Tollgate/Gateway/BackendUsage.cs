using System.Text.Json;
using Tollgate.Billing.Pricing;

namespace Tollgate.Gateway;

/// <summary>
/// Reads a backend's <c>usage</c> object (OpenAI's field names) into exact token counts. Cache
/// writes are <c>prompt_tokens_details.cache_write_tokens</c>, as OpenRouter reports them and as
/// the anthropic backend translates Anthropic's <c>cache_creation_input_tokens</c>.
/// </summary>
internal static class BackendUsage
{
    /// <summary>Null when the object is missing or not numbers; consistency is judged by the meter.</summary>
    public static TokenUsage? Read(JsonElement response)
    {
        if (response.ValueKind != JsonValueKind.Object || !response.TryGetProperty("usage", out var usage) || usage.ValueKind != JsonValueKind.Object)
            return null;
        if (!TryLong(usage, "prompt_tokens", out var input)) return null;
        var output = 0L;
        if (usage.TryGetProperty("completion_tokens", out var completion) && !completion.TryReadInt64(out output)) return null;
        var cached = Nested(usage, "prompt_tokens_details", "cached_tokens");
        var cacheWrites = Nested(usage, "prompt_tokens_details", "cache_write_tokens");
        var reasoning = Nested(usage, "completion_tokens_details", "reasoning_tokens");
        return new TokenUsage(input, cached, output, reasoning, cacheWrites);
    }

    private static long Nested(JsonElement usage, string details, string name) =>
        usage.TryGetProperty(details, out var d) && d.ValueKind == JsonValueKind.Object && TryLong(d, name, out var value) ? value : 0;

    private static bool TryLong(JsonElement element, string name, out long value)
    {
        value = 0;
        return element.TryGetProperty(name, out var field) && field.TryReadInt64(out value);
    }
}
