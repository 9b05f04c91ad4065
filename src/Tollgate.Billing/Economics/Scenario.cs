namespace Tollgate.Billing.Economics;

/// <summary>
/// A what-if over months: a price that falls (a price war) or rises, a real cost per token that
/// falls as hardware and models improve, and usage that grows, each by a percentage a month.
/// Revenue is either per token (<see cref="PricePerMillion"/>) or a flat plan price
/// (<see cref="PlanPrice"/>, one subscriber whose usage is <see cref="TokensPerMonth"/>).
/// </summary>
public sealed record Scenario(
    int Months,
    decimal CostPerMillion,
    decimal TokensPerMonth,
    decimal? PricePerMillion = null,
    decimal? PlanPrice = null,
    decimal PriceChangePercent = 0,
    decimal CostChangePercent = 0,
    decimal UsageGrowthPercent = 0)
{
    public const int MaxMonths = 120;

    public string? Validate()
    {
        if (Months is < 1 or > MaxMonths) return $"months: from 1 to {MaxMonths}";
        if ((PricePerMillion is null) == (PlanPrice is null)) return "price: give either a price per million tokens or a plan price";
        if (PricePerMillion < 0 || PlanPrice < 0) return "price: not negative";
        if (CostPerMillion < 0) return "cost_per_mtok: not negative";
        if (TokensPerMonth < 0) return "tokens_per_month: not negative";
        if (PriceChangePercent <= -100 || CostChangePercent <= -100 || UsageGrowthPercent <= -100) return "changes: above -100% a month";
        if (PriceChangePercent > 1000 || CostChangePercent > 1000 || UsageGrowthPercent > 1000) return "changes: at most 1000% a month";
        return null;
    }

    /// <summary>Month by month, from the starting figures in month 1; exact in decimal.</summary>
    public IReadOnlyList<ScenarioMonth> Run()
    {
        var months = new List<ScenarioMonth>(Months);
        var price = PricePerMillion ?? PlanPrice!.Value;
        var cost = CostPerMillion;
        var tokens = TokensPerMonth;
        var cumulative = 0m;
        for (var month = 1; month <= Months; month++)
        {
            if (month > 1)
            {
                price = Step(price, PriceChangePercent);
                cost = Step(cost, CostChangePercent);
                tokens = Step(tokens, UsageGrowthPercent);
            }
            var revenue = PlanPrice is null ? tokens * price / Money.TokensPerPriceUnit : price;
            var spent = tokens * cost / Money.TokensPerPriceUnit;
            cumulative += revenue - spent;
            months.Add(new ScenarioMonth(month, price, cost, tokens, revenue, spent, cumulative));
        }
        return months;
    }

    private static decimal Step(decimal value, decimal percent) => percent == 0 ? value : value * (100 + percent) / 100;
}

/// <summary>One month of a scenario: the price (per million tokens, or the plan's), the cost per million, the tokens, and the result.</summary>
public sealed record ScenarioMonth(int Month, decimal Price, decimal CostPerMillion, decimal Tokens, decimal Revenue, decimal Cost, decimal CumulativeMargin)
{
    public decimal Margin => Revenue - Cost;

    public decimal? MarginPercent => MarginRow.Percent(Margin, Revenue);
}
