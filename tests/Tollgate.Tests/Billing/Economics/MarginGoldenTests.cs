using Tollgate.Billing.Economics;
using Tollgate.Billing.Pricing;
using Tollgate.Billing.Wallets;
using Tollgate.Storage;

namespace Tollgate.Tests.Billing.Economics;

/// <summary>Margin aggregation, subscription spreading and promotional credit, exact in decimal.</summary>
public sealed class MarginGoldenTests
{
    private static readonly DateOnly Oct3 = new(2026, 10, 3);
    private static readonly DateTimeOffset October = new(2026, 10, 1, 0, 0, 0, TimeSpan.Zero);

    private static UsageLine Usage(string customer, string model, string backend, decimal charged, decimal cost, DateOnly? day = null) =>
        new(customer, day ?? Oct3, model, backend, 1, new TokenUsage(100, 0, 10), charged, charged, cost);

    [Fact]
    public void ByDay_FullMonthFee_IsSpreadOneDayAtATime()
    {
        var shares = new FeeCharge("c", "pro", 31m, October, October.AddMonths(1)).Spread().ToList();

        Assert.Equal(31, shares.Count);
        Assert.All(shares, s => Assert.Equal(1m, s.Amount));
        Assert.Equal(new DateOnly(2026, 10, 31), shares[^1].Day);
    }

    [Fact]
    public void ByDay_ProratedFirstMonth_StartsAtTheChargeByTheSecond()
    {
        // Started 16 October at noon: 15.5 days left, charged $15.50 — half a dollar on the first day.
        var (start, end) = FeeSpans.Of("sub_1:2026-10", October.AddDays(15.5));
        var shares = new FeeCharge("c", "pro", 15.5m, start, end).Spread().ToList();

        Assert.Equal(16, shares.Count);
        Assert.Equal(0.5m, shares[0].Amount);
        Assert.All(shares.Skip(1), s => Assert.Equal(1m, s.Amount));
    }

    [Fact]
    public void ByDay_UnevenSplit_SharesSumToTheFeeExactly()
    {
        var april = new DateTimeOffset(2026, 4, 1, 0, 0, 0, TimeSpan.Zero);
        var shares = Shares.ByDay(20m, april, april.AddMonths(1));

        Assert.Equal(30, shares.Count);
        Assert.Equal(0.6666666667m, shares[0].Amount);
        Assert.Equal(20m, shares.Sum(s => s.Amount));
    }

    [Fact]
    public void Of_UpgradeReference_PaysForTheRestOfItsMonth()
    {
        var at = October.AddDays(20);

        Assert.Equal((at, October.AddMonths(1)), FeeSpans.Of("sub_1:upgrade:1791000000000", at));
    }

    [Fact]
    public void Of_RenewalChargedLate_StillPaysForItsWholeMonth()
    {
        Assert.Equal((October, October.AddMonths(1)), FeeSpans.Of("sub_1:2026-10", October.AddMonths(1).AddHours(3)));
    }

    [Fact]
    public void Build_EveryGrouping_SumsRevenueCostAndPromotionalCreditExactly()
    {
        UsageLine[] usage =
        [
            Usage("a", "m", "m-up", 10m, 4m),
            Usage("a", "small", "s-up", 5m, 1m),
            Usage("b", "m", "m-up", 0m, 2m), // inside b's allowance: charged nothing, still costs
            Usage("c", "m", "m-up", 5m, 1m),
        ];
        FeeShare[] fees = [new("b", Oct3.AddDays(-1), "pro", 1m), new("b", Oct3, "pro", 1m)];
        PromotionalShare[] promotional = [new("c", Oct3, "m", "m-up", null, 3m)];
        var plans = new Dictionary<string, string> { ["b"] = "pro" };

        var byModel = MarginReport.Build(MarginGrouping.Model, usage, fees, promotional, plans);
        var byPlan = MarginReport.Build(MarginGrouping.Plan, usage, fees, promotional, plans);
        var byDay = MarginReport.Build(MarginGrouping.Day, usage, fees, promotional, plans);

        Assert.Equal(["(subscription fees)", "m", "small"], byModel.Select(r => r.Group));
        var m = byModel[1];
        Assert.Equal((3, 15m, 3m, 12m, 7m, 5m), (m.Requests, m.UsageRevenue, m.PromotionalDiscount, m.Revenue, m.CostToServe, m.GrossMargin));
        Assert.Equal(41.67m, m.MarginPercent);
        Assert.Equal(2m, byModel[0].Revenue);
        Assert.Equal(["(no plan)", "pro"], byPlan.Select(r => r.Group));
        Assert.Equal((17m, 6m, 11m), (byPlan[0].Revenue, byPlan[0].CostToServe, byPlan[0].GrossMargin));
        Assert.Equal((2m, 2m, 0m), (byPlan[1].Revenue, byPlan[1].CostToServe, byPlan[1].GrossMargin));
        Assert.Equal(["2026-10-02", "2026-10-03"], byDay.Select(r => r.Group));
        // Every grouping adds up to the same total.
        foreach (var rows in new[] { byModel, byPlan, byDay })
        {
            var total = MarginReport.Sum(rows);
            Assert.Equal((4, 20m, 2m, 3m, 19m, 8m, 11m), (total.Requests, total.UsageRevenue, total.SubscriptionRevenue, total.PromotionalDiscount, total.Revenue,
                total.CostToServe, total.GrossMargin));
        }
    }

    [Fact]
    public void Run_PromotionalGrantFirst_ReportsWhatItPaidOfEachDebit()
    {
        Grant[] grants =
        [
            new("purchased", GrantKind.Purchased, 10m, October, null),
            new("promo", GrantKind.Promotional, 5m, October, null),
        ];
        WalletReplay.Debit[] debits = [new(October.AddDays(1), 3m, 1), new(October.AddDays(2), 4m, 2), new(October.AddDays(3), 1m, 3)];

        var taken = WalletReplay.Run(grants, debits, October.AddDays(5)).PromotionalTaken;

        Assert.Equal([(1L, 3m), (2L, 2m)], taken.Select(t => (t.Debit.Id, t.Amount)));
    }
}
