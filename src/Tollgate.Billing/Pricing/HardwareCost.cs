namespace Tollgate.Billing.Pricing;

/// <summary>
/// Own hardware as a cost: <see cref="GpuCount"/> GPUs at <see cref="HourlyCost"/> each, together
/// rated to process <see cref="RatedTokensPerHour"/> tokens (input and output) an hour at full load.
/// A token carries the cost of the capacity it uses at <see cref="TargetUtilisation"/>; what a quiet
/// hour leaves unused is idle cost, reported apart and never loaded onto that hour's few requests.
/// </summary>
public sealed record HardwareCost(decimal HourlyCost, int GpuCount, long RatedTokensPerHour, decimal TargetUtilisation)
{
    /// <summary>What the whole deployment costs an hour, used or not.</summary>
    public decimal CostPerHour => HourlyCost * GpuCount;

    /// <summary>The tokens an hour the cost is spread over.</summary>
    public decimal TokensPerHourAtTarget => RatedTokensPerHour * TargetUtilisation;

    /// <summary>Dollars per million tokens; computed once per card so a request's cost stays a multiplication.</summary>
    public decimal PerMillionTokens => CostPerHour * Money.TokensPerPriceUnit / TokensPerHourAtTarget;

    /// <summary>Every token class costs the same capacity.</summary>
    public TokenRates Rates
    {
        get
        {
            var rate = PerMillionTokens;
            return new TokenRates(rate, rate, rate);
        }
    }

    /// <summary>Names the first invalid field with why, or null.</summary>
    public string? Validate()
    {
        if (!Money.IsValidRate(HourlyCost)) return "hourly_cost: a non-negative amount with at most 6 decimals";
        if (GpuCount < 1) return "gpu_count: at least 1";
        if (RatedTokensPerHour < 1) return "rated_tokens_per_hour: at least 1";
        if (TargetUtilisation <= 0 || TargetUtilisation > 1 || decimal.Round(TargetUtilisation, 4) != TargetUtilisation)
            return "target_utilisation: a fraction above 0 and at most 1, with at most 4 decimals";
        return null;
    }
}
