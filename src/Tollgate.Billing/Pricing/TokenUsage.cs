namespace Tollgate.Billing.Pricing;

/// <summary>
/// Tokens one request used. Cached input (read from a prompt cache) and cache writes (input the
/// backend wrote to its prompt cache) are disjoint subsets of input, and reasoning a subset of
/// output, so nothing is ever counted twice.
/// </summary>
public readonly record struct TokenUsage(long InputTokens, long CachedInputTokens, long OutputTokens, long ReasoningTokens = 0, long CacheWriteTokens = 0)
{
    public static readonly TokenUsage Zero = new(0, 0, 0);

    public long TotalTokens => InputTokens + OutputTokens;

    /// <summary>Input neither read from nor written to a prompt cache: priced at the input rate.</summary>
    public long UncachedInputTokens => InputTokens - CachedInputTokens - CacheWriteTokens;

    /// <summary>True when the numbers can describe a real request.</summary>
    public bool IsConsistent =>
        InputTokens >= 0 && OutputTokens >= 0 && CachedInputTokens >= 0 && ReasoningTokens >= 0 && CacheWriteTokens >= 0
        && CachedInputTokens <= InputTokens && CacheWriteTokens <= InputTokens - CachedInputTokens && ReasoningTokens <= OutputTokens;

    /// <summary>The sum of two usages, class by class.</summary>
    public TokenUsage Plus(TokenUsage other) => new(InputTokens + other.InputTokens, CachedInputTokens + other.CachedInputTokens,
        OutputTokens + other.OutputTokens, ReasoningTokens + other.ReasoningTokens, CacheWriteTokens + other.CacheWriteTokens);
}
