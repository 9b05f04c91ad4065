namespace Tollgate.Billing.Economics;

/// <summary>One subscriber's period: what it paid (fees and metered overage, less promotional credit) against what it cost to serve.</summary>
public sealed record SubscriberResult(string CustomerId, string PlanId, decimal Fees, decimal UsageRevenue, decimal PromotionalDiscount, decimal CostToServe, long Requests, long Tokens)
{
    public decimal Revenue => Fees + UsageRevenue - PromotionalDiscount;

    public decimal Margin => Revenue - CostToServe;

    public bool Unprofitable => Margin < 0;

    /// <summary>Cost to serve as a percentage of revenue, to two decimals; null without revenue.</summary>
    public decimal? CostPercent => MarginRow.Percent(CostToServe, Revenue);
}

/// <summary>A plan's subscribers together.</summary>
public sealed record PlanResult(string PlanId, int Subscribers, int Unprofitable, decimal Revenue, decimal CostToServe)
{
    public decimal Margin => Revenue - CostToServe;

    public decimal? MarginPercent => MarginRow.Percent(Margin, Revenue);
}

/// <summary>How many subscribers cost a given share of what they pay.</summary>
public sealed record CostBucket(string Label, int Subscribers);

public sealed record Profitability(
    IReadOnlyList<SubscriberResult> Subscribers,
    IReadOnlyList<PlanResult> Plans,
    IReadOnlyList<CostBucket> Distribution,
    int Unprofitable,
    decimal? UnprofitablePercent,
    IReadOnlyList<SubscriberResult> Heaviest);

/// <summary>Who a flat price pays for, and who it does not: revenue per subscriber is capped, cost is not.</summary>
public static class SubscriberProfitability
{
    /// <summary>Upper bounds (exclusive) of cost as a percentage of revenue; the last bucket is open.</summary>
    private static readonly (decimal Below, string Label)[] Buckets =
    [
        (25, "under 25%"), (50, "25–50%"), (75, "50–75%"), (100, "75–100%"), (200, "100–200%"), (decimal.MaxValue, "200% and more"),
    ];

    public const string NoRevenue = "no revenue";

    public static Profitability Build(IEnumerable<SubscriberResult> subscribers, int heaviest)
    {
        var all = subscribers.OrderByDescending(s => s.CostToServe).ThenBy(s => s.CustomerId, StringComparer.Ordinal).ToList();
        var plans = all.GroupBy(s => s.PlanId, StringComparer.Ordinal)
            .Select(g => new PlanResult(g.Key, g.Count(), g.Count(s => s.Unprofitable), g.Sum(s => s.Revenue), g.Sum(s => s.CostToServe)))
            .OrderBy(p => p.PlanId, StringComparer.Ordinal)
            .ToList();
        var distribution = Buckets.Select(b => new CostBucket(b.Label, 0)).Append(new CostBucket(NoRevenue, 0)).ToList();
        foreach (var s in all)
        {
            var index = s.CostPercent is { } percent ? Array.FindIndex(Buckets, b => percent < b.Below) : Buckets.Length;
            distribution[index] = distribution[index] with { Subscribers = distribution[index].Subscribers + 1 };
        }
        var unprofitable = all.Count(s => s.Unprofitable);
        return new Profitability(all, plans, distribution, unprofitable, MarginRow.Percent(unprofitable, all.Count), [.. all.Take(heaviest)]);
    }
}
