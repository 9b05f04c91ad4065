using Tollgate.Billing.Economics;

namespace Tollgate.Tests.Billing.Economics;

/// <summary>The what-if simulator against figures worked out by hand.</summary>
public sealed class SimulatorGoldenTests
{
    [Fact]
    public void QueriesPerMonth_TwentyDollarPlanAtThreeCentsPerMillion_Is66666()
    {
        var breakEven = new BreakEven(20m, 0.03m, 10_000);

        // 10,000 tokens at $0.03 per million = $0.0003 a query; $20 / $0.0003 = 66,666.67.
        Assert.Equal(0.0003m, breakEven.CostPerQuery);
        Assert.Equal(66_666, breakEven.QueriesPerMonth);
        Assert.Equal(666_666_666, breakEven.TokensPerMonth);
        Assert.Equal(2_222.22m, breakEven.QueriesPerDay);
    }

    [Fact]
    public void QueriesPerMonth_TenTimesTheCost_IsATenth()
    {
        Assert.Equal(6_666, new BreakEven(20m, 0.3m, 10_000).QueriesPerMonth);
    }

    [Fact]
    public void QueriesPerMonth_FreeTokens_NoBreakEven()
    {
        Assert.Null(new BreakEven(20m, 0m, 10_000).QueriesPerMonth);
    }

    [Fact]
    public void Run_PlanWithFallingCostAndGrowingUsage_MatchesHandComputedMonths()
    {
        // $20 a month; 50,000 queries of 10,000 tokens = 500M tokens; cost $0.03/M falling 10% a month; usage growing 20%.
        var months = new Scenario(3, 0.03m, 500_000_000m, PlanPrice: 20m, CostChangePercent: -10m, UsageGrowthPercent: 20m).Run();

        Assert.Equal([20m, 20m, 20m], months.Select(m => m.Revenue));
        Assert.Equal([0.03m, 0.027m, 0.0243m], months.Select(m => m.CostPerMillion));
        Assert.Equal([500_000_000m, 600_000_000m, 720_000_000m], months.Select(m => m.Tokens));
        // 500 × 0.03 = 15; 600 × 0.027 = 16.2; 720 × 0.0243 = 17.496.
        Assert.Equal([15m, 16.2m, 17.496m], months.Select(m => m.Cost));
        Assert.Equal([5m, 3.8m, 2.504m], months.Select(m => m.Margin));
        Assert.Equal([5m, 8.8m, 11.304m], months.Select(m => m.CumulativeMargin));
        Assert.Equal([25m, 19m, 12.52m], months.Select(m => m.MarginPercent!.Value));
    }

    [Fact]
    public void Run_PriceWarPerToken_TurnsToALossInTheThirdMonth()
    {
        // $0.10 per million halving each month against a steady $0.05 cost on 1B tokens.
        var months = new Scenario(3, 0.05m, 1_000_000_000m, PricePerMillion: 0.1m, PriceChangePercent: -50m).Run();

        Assert.Equal([100m, 50m, 25m], months.Select(m => m.Revenue));
        Assert.Equal([50m, 50m, 50m], months.Select(m => m.Cost));
        Assert.Equal([50m, 0m, -25m], months.Select(m => m.Margin));
    }

    [Theory]
    [InlineData(0, "months")]
    [InlineData(121, "months")]
    public void Validate_MonthsOutOfRange_NamesMonths(int months, string field)
    {
        Assert.StartsWith(field + ":", new Scenario(months, 1, 1, PlanPrice: 1).Validate());
    }

    [Fact]
    public void Validate_BothPrices_Refused()
    {
        Assert.StartsWith("price:", new Scenario(1, 1, 1, PricePerMillion: 1, PlanPrice: 1).Validate());
    }
}
