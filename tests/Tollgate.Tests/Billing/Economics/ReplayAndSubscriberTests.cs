using Tollgate.Billing.Economics;
using Tollgate.Billing.Pricing;

namespace Tollgate.Tests.Billing.Economics;

/// <summary>Price replay and subscriber profitability against figures worked out by hand.</summary>
public sealed class ReplayAndSubscriberTests
{
    private static readonly DateOnly Day = new(2026, 10, 3);

    [Fact]
    public void Run_NewModelRatesAndPlanPrice_RepricesUsageAndFees()
    {
        // At $2 in / $8 out: 1M in + 0.5M out = $6, charged in full to a; b's identical usage was inside its allowance.
        var tokens = new TokenUsage(1_000_000, 0, 500_000);
        UsageLine[] usage =
        [
            new("a", Day, "m", "up", 2, tokens, 6m, 6m, 1m),
            new("b", Day, "m", "up", 2, tokens, 6m, 0m, 1m),
            new("c", Day, "m", "up", 1, tokens, 6m, 3m, 1m), // charged half: capped at its reservation
            new("c", Day, "other", "up", 1, tokens, 4m, 4m, 1m),
        ];
        (string, string?, decimal)[] fees = [("b", "pro", 20m), ("b", "pro", 10m)];
        var proposal = new Proposal(
            new Dictionary<string, TokenRates> { ["m"] = new(3m, 3m, 2m, 0.01m) },
            new Dictionary<string, decimal> { ["pro"] = 25m });

        var result = PriceReplay.Run(usage, fees, new Dictionary<string, decimal> { ["pro"] = 20m }, proposal);

        // a: 1M × $3 + 0.5M × $2 + 2 requests × $0.01 = $4.02. b: still free in the allowance; fees × 25/20. c: half of $4.01, plus the untouched model.
        Assert.Equal(["a", "b", "c"], result.Customers.Select(c => c.CustomerId));
        Assert.Equal([6m, 30m, 7m], result.Customers.Select(c => c.CurrentRevenue));
        Assert.Equal([4.02m, 37.5m, 6.005m], result.Customers.Select(c => c.ProposedRevenue));
        Assert.Equal((43m, 47.525m, 4m), (result.CurrentRevenue, result.ProposedRevenue, result.CostToServe));
        Assert.Equal((1, 2, 0), (result.PayMore, result.PayLess, result.Unchanged));
    }

    [Fact]
    public void Build_HeavyAndLightSubscribers_CountsTheUnprofitableAndBuckets()
    {
        SubscriberResult[] subscribers =
        [
            new("light", "pro", 20m, 0m, 0m, 2m, 10, 1_000),
            new("heavy", "pro", 20m, 0m, 0m, 45m, 900, 1_500_000),
            new("metered", "max", 50m, 10m, 0m, 48m, 400, 900_000),
            new("promo", "max", 50m, 0m, 50m, 1m, 1, 100),
        ];

        var result = SubscriberProfitability.Build(subscribers, heaviest: 2);

        Assert.Equal(["metered", "heavy"], result.Heaviest.Select(s => s.CustomerId));
        Assert.Equal(2, result.Unprofitable);
        Assert.Equal(50m, result.UnprofitablePercent);
        Assert.Equal([1, 0, 0, 1, 0, 1, 1], result.Distribution.Select(b => b.Subscribers));
        var pro = result.Plans.Single(p => p.PlanId == "pro");
        Assert.Equal((2, 1, 40m, 47m, -7m), (pro.Subscribers, pro.Unprofitable, pro.Revenue, pro.CostToServe, pro.Margin));
    }
}
