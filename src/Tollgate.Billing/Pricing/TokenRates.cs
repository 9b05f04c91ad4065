namespace Tollgate.Billing.Pricing;

/// <summary>Dollars per million tokens by token class, plus a flat per-request fee.</summary>
public sealed record TokenRates(decimal InputPerMillion, decimal CachedInputPerMillion, decimal OutputPerMillion, decimal RequestFee = 0m)
{
    /// <summary>The exact amount for <paramref name="usage"/>: cached input at its own rate, the rest at the input rate.</summary>
    public decimal AmountFor(TokenUsage usage) =>
        Money.ForTokens(usage.UncachedInputTokens, InputPerMillion)
        + Money.ForTokens(usage.CachedInputTokens, CachedInputPerMillion)
        + Money.ForTokens(usage.OutputTokens, OutputPerMillion)
        + RequestFee;

    /// <summary>Names the first invalid rate, or null when every rate is non-negative with at most six decimals.</summary>
    public string? Validate()
    {
        if (!Money.IsValidRate(InputPerMillion)) return "input";
        if (!Money.IsValidRate(CachedInputPerMillion)) return "cached_input";
        if (!Money.IsValidRate(OutputPerMillion)) return "output";
        if (!Money.IsValidRate(RequestFee)) return "request_fee";
        return null;
    }
}
