using Tollgate.Billing.Contracts;
using Tollgate.Billing.Invoices;
using Tollgate.Billing.Pricing;

namespace Tollgate.Tests.Billing.Contracts;

public sealed class ContractTests
{
    private static readonly DateTimeOffset March10 = new(2026, 3, 10, 0, 0, 0, TimeSpan.Zero);

    private static Contract Make(decimal commitment = 310m, decimal discount = 0m, DateTimeOffset? starts = null, DateTimeOffset? ends = null) =>
        new("ctr_1", "cus_1", starts ?? March10, ends ?? March10.AddYears(1), commitment, discount,
            new Dictionary<string, TokenRates> { ["special"] = new(1m, 0.5m, 4m) }, ["flag"], March10);

    [Fact]
    public void CommitmentFor_WholeMonth_TheMonthlyAmount() =>
        Assert.Equal(310m, Make().CommitmentFor(new BillingPeriod(2026, 6)));

    [Fact]
    public void CommitmentFor_FirstMonthFromThe10th_ProratedBySeconds() =>
        // 10 March 00:00 to 1 April: 22 of March's 31 days → 310 × 22/31 = 220.
        Assert.Equal(220m, Make().CommitmentFor(new BillingPeriod(2026, 3)));

    [Fact]
    public void CommitmentFor_LastMonthEndingAtNoonOnThe10th_ProratedToTheSecond() =>
        // 1 March 2027 to 10 March 12:00: 9.5 of 31 days → 310 × 9.5/31 = 95.
        Assert.Equal(95m, Make(ends: new DateTimeOffset(2027, 3, 10, 12, 0, 0, TimeSpan.Zero)).CommitmentFor(new BillingPeriod(2027, 3)));

    [Fact]
    public void CommitmentFor_CancelledMidMonth_EndsAtTheCancellation()
    {
        var cancelled = Make() with { CancelledAt = new DateTimeOffset(2026, 6, 16, 0, 0, 0, TimeSpan.Zero) };

        // June: 15 of 30 days → 155; July: nothing.
        Assert.Equal(155m, cancelled.CommitmentFor(new BillingPeriod(2026, 6)));
        Assert.Equal(0m, cancelled.CommitmentFor(new BillingPeriod(2026, 7)));
        Assert.Equal(ContractStatus.Cancelled, cancelled.StatusAt(new DateTimeOffset(2026, 6, 16, 0, 0, 0, TimeSpan.Zero)));
        Assert.False(cancelled.Entitles("flag", new DateTimeOffset(2026, 6, 16, 0, 0, 0, TimeSpan.Zero)));
        Assert.True(cancelled.Entitles("flag", new DateTimeOffset(2026, 6, 15, 23, 59, 59, TimeSpan.Zero)));
    }

    [Fact]
    public void CommitmentFor_BeforeStartOrAfterEnd_Zero()
    {
        Assert.Equal(0m, Make().CommitmentFor(new BillingPeriod(2026, 2)));
        Assert.Equal(0m, Make().CommitmentFor(new BillingPeriod(2027, 4)));
    }

    [Fact]
    public void ChargeRates_OverrideOrDiscount_ExactlyLinear()
    {
        var contract = Make(discount: 12.5m);
        var list = new TokenRates(8m, 2m, 24m, 0.01m);
        var usage = new TokenUsage(1_000_000, 200_000, 500_000, 0);

        // Discounted: every rate × 0.875, so the amount is list × 0.875 exactly: (6.40 + 0.40 + 12.00 + 0.01) × 0.875.
        Assert.Equal(list.AmountFor(usage) * 0.875m, contract.ChargeRates("pro", list).AmountFor(usage));
        Assert.Equal(new TokenRates(1m, 0.5m, 4m), contract.ChargeRates("special", list));
        Assert.Same(list, Make().ChargeRates("pro", list));
    }

    [Fact]
    public void StatusAt_OverTheTerm_ScheduledActiveEnded()
    {
        var contract = Make();

        Assert.Equal(ContractStatus.Scheduled, contract.StatusAt(March10.AddSeconds(-1)));
        Assert.Equal(ContractStatus.Active, contract.StatusAt(March10));
        Assert.Equal(ContractStatus.Ended, contract.StatusAt(March10.AddYears(1)));
    }

    [Fact]
    public void Shortfall_MetOrMissed_NeverNegative()
    {
        Assert.Equal(7m, TrueUp.Shortfall(10m, 3m));
        Assert.Equal(0m, TrueUp.Shortfall(10m, 12m));
    }
}
