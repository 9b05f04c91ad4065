namespace Tollgate.Billing.Economics;

/// <summary>
/// How many queries a month a flat price pays for at a cost per million tokens: a $20 plan at
/// $0.03 per million tokens and 10,000 tokens a query pays for 66,666 queries, and loses money on the next.
/// </summary>
public sealed record BreakEven(decimal PlanPrice, decimal CostPerMillion, long TokensPerQuery)
{
    public decimal CostPerQuery => Money.ForTokens(TokensPerQuery, CostPerMillion);

    /// <summary>Whole queries the price covers; null when a query costs nothing.</summary>
    public long? QueriesPerMonth => CostPerQuery == 0 ? null : (long)Math.Floor(PlanPrice / CostPerQuery);

    /// <summary>Whole tokens the price covers; null when tokens cost nothing.</summary>
    public long? TokensPerMonth => CostPerMillion == 0 ? null : (long)Math.Floor(PlanPrice * Money.TokensPerPriceUnit / CostPerMillion);

    /// <summary>The break-even queries per day over a 30-day month, to two decimals.</summary>
    public decimal? QueriesPerDay => CostPerQuery == 0 ? null : Math.Round(PlanPrice / CostPerQuery / 30, 2, MidpointRounding.ToZero);

    public string? Validate()
    {
        if (PlanPrice <= 0) return "plan_price: a positive amount";
        if (CostPerMillion < 0) return "cost_per_mtok: not negative";
        if (TokensPerQuery < 1) return "tokens_per_query: at least 1";
        return null;
    }
}
