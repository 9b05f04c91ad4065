namespace Tollgate.Billing.Pricing;

/// <summary>
/// Tokens one request used. Cached input is a subset of input and reasoning a subset of
/// output, so neither is ever counted twice.
/// </summary>
public readonly record struct TokenUsage(long InputTokens, long CachedInputTokens, long OutputTokens, long ReasoningTokens = 0)
{
    public static readonly TokenUsage Zero = new(0, 0, 0);

    public long TotalTokens => InputTokens + OutputTokens;

    public long UncachedInputTokens => InputTokens - CachedInputTokens;

    /// <summary>True when the numbers can describe a real request.</summary>
    public bool IsConsistent =>
        InputTokens >= 0 && OutputTokens >= 0 && CachedInputTokens >= 0 && ReasoningTokens >= 0
        && CachedInputTokens <= InputTokens && ReasoningTokens <= OutputTokens;
}
