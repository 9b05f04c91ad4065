namespace Tollgate.Billing.Pricing;

/// <summary>
/// Dollars per million tokens by token class, plus a flat per-request fee. Cache writes have their
/// own rate when the card sets one (Anthropic bills them apart); unset, they cost what input costs.
/// </summary>
public sealed record TokenRates(decimal InputPerMillion, decimal CachedInputPerMillion, decimal OutputPerMillion, decimal RequestFee = 0m,
    decimal? CacheWritePerMillion = null)
{
    /// <summary>The rate cache writes are priced at: the card's own, else the input rate.</summary>
    public decimal CacheWriteRate => CacheWritePerMillion ?? InputPerMillion;

    /// <summary>The exact amount for <paramref name="usage"/>: cached input and cache writes at their own rates, the rest at the input rate.</summary>
    public decimal AmountFor(TokenUsage usage) =>
        Money.ForTokens(usage.UncachedInputTokens, InputPerMillion)
        + Money.ForTokens(usage.CachedInputTokens, CachedInputPerMillion)
        + Money.ForTokens(usage.CacheWriteTokens, CacheWriteRate)
        + Money.ForTokens(usage.OutputTokens, OutputPerMillion)
        + RequestFee;

    /// <summary>The dearest rate any input token can be priced at (what a worst case must assume).</summary>
    public decimal DearestInputRate => Math.Max(Math.Max(InputPerMillion, CachedInputPerMillion), CacheWriteRate);

    /// <summary>Every rate times <paramref name="factor"/> (an unset cache-write rate stays unset, so it still follows input).</summary>
    public TokenRates Scaled(decimal factor) => new(InputPerMillion * factor, CachedInputPerMillion * factor, OutputPerMillion * factor,
        RequestFee * factor, CacheWritePerMillion * factor);

    /// <summary>Names the first invalid rate, or null when every rate is non-negative with at most six decimals.</summary>
    public string? Validate()
    {
        if (!Money.IsValidRate(InputPerMillion)) return "input";
        if (!Money.IsValidRate(CachedInputPerMillion)) return "cached_input";
        if (CacheWritePerMillion is { } write && !Money.IsValidRate(write)) return "cache_write";
        if (!Money.IsValidRate(OutputPerMillion)) return "output";
        if (!Money.IsValidRate(RequestFee)) return "request_fee";
        return null;
    }
}
