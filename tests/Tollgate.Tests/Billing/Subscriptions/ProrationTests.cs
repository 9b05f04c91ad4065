using Tollgate.Billing.Invoices;
using Tollgate.Billing.Subscriptions;

namespace Tollgate.Tests.Billing.Subscriptions;

/// <summary>First fees and upgrades prorate over the same calendar month, at the instants where months turn.</summary>
public sealed class ProrationTests
{
    public static TheoryData<DateTimeOffset> Edges => new()
    {
        new DateTimeOffset(2027, 1, 1, 0, 0, 0, TimeSpan.Zero),
        new DateTimeOffset(2026, 12, 7, 9, 30, 0, TimeSpan.Zero),
        new DateTimeOffset(2027, 2, 28, 0, 0, 0, TimeSpan.Zero),
        new DateTimeOffset(2028, 2, 29, 12, 0, 0, TimeSpan.Zero),
        new DateTimeOffset(2026, 12, 31, 23, 59, 59, TimeSpan.Zero),
    };

    [Theory]
    [MemberData(nameof(Edges))]
    public void Upgrade_TwoSecondsAfterStart_CostsExactlyTheDifferenceOverTheMonth(DateTimeOffset start)
    {
        var upgradeAt = start.AddSeconds(2);
        var month = BillingPeriod.Of(start);
        if (!month.Contains(upgradeAt)) return;
        var secondsLeft = (decimal)(month.End - upgradeAt).TotalSeconds;
        var secondsInMonth = (decimal)(month.End - month.Start).TotalSeconds;

        var upgrade = Proration.Upgrade(20m, 100m, upgradeAt, month);

        Assert.Equal(Math.Round(80m * secondsLeft / secondsInMonth, 10, MidpointRounding.AwayFromZero), upgrade, 9);
    }

    [Theory]
    [MemberData(nameof(Edges))]
    public void StartThenUpgrade_AnyInstant_NeverCostsMoreThanTheDearerPlanFromTheStart(DateTimeOffset start)
    {
        var month = BillingPeriod.Of(start);
        foreach (var later in new[] { TimeSpan.Zero, TimeSpan.FromSeconds(2), TimeSpan.FromDays(3) })
        {
            var at = start + later;
            if (!month.Contains(at)) continue;

            var both = Proration.RestOfMonth(20m, start) + Proration.Upgrade(20m, 100m, at, month);

            Assert.True(both <= Proration.RestOfMonth(100m, start), $"{both} at {at:O}");
        }
    }

    [Fact]
    public void RestOfMonth_FirstInstantOfTheMonth_IsTheWholePrice()
    {
        Assert.Equal(20m, Proration.RestOfMonth(20m, new DateTimeOffset(2027, 3, 1, 0, 0, 0, TimeSpan.Zero)));
    }

    [Fact]
    public void RestOfMonth_LastSecondOfTheMonth_IsOneSecondsWorth()
    {
        var last = new DateTimeOffset(2026, 12, 31, 23, 59, 59, TimeSpan.Zero);

        Assert.Equal(Math.Round(31m / (31m * 86_400m), 10), Proration.RestOfMonth(31m, last));
    }

    [Fact]
    public void Upgrade_AfterThePaidMonthEnded_IsFree()
    {
        var november = new BillingPeriod(2026, 11);

        Assert.Equal(0m, Proration.Upgrade(20m, 100m, new DateTimeOffset(2026, 12, 1, 0, 0, 1, TimeSpan.Zero), november));
    }
}
