using Tollgate.Billing.Subscriptions;
using Tollgate.Storage;

namespace Tollgate.Tests.Subscriptions;

public sealed class WindowUsageTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 10, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Session_OpensAtFirstUseAndResetsAfterItsDuration()
    {
        var usage = new WindowUsage(new AllowanceWindow("5h", WindowKind.Session, TimeSpan.FromHours(5), 10));

        var before = usage.ResetsAt(T0);
        usage.Add(T0.AddMinutes(30), 4);
        usage.Add(T0.AddHours(5), 4);

        Assert.Null(before);
        Assert.Equal(8, usage.Used(T0.AddHours(5).AddMinutes(29)));
        Assert.Equal(T0.AddHours(5.5), usage.ResetsAt(T0.AddHours(1)));
        Assert.Equal(0, usage.Used(T0.AddHours(5.5)));
        Assert.Null(usage.ResetsAt(T0.AddHours(5.5)));
    }

    [Fact]
    public void Rolling_UnitsLeaveOneDurationAfterTheirMinute()
    {
        var usage = new WindowUsage(new AllowanceWindow("week", WindowKind.Rolling, TimeSpan.FromDays(7), 100));

        usage.Add(T0, 30);
        usage.Add(T0.AddDays(3), 50);

        Assert.Equal(80, usage.Used(T0.AddDays(7)));
        Assert.Equal(50, usage.Used(T0.AddDays(7).AddMinutes(1)));
        Assert.Equal(T0.AddDays(10).AddMinutes(1), usage.ResetsAt(T0.AddDays(8)));
        Assert.Equal(0, usage.Used(T0.AddDays(10).AddMinutes(1)));
    }

    [Fact]
    public void Calendar_ResetsAtTheUtcMonthBoundary()
    {
        var usage = new WindowUsage(new AllowanceWindow("month", WindowKind.Calendar, TimeSpan.Zero, 100));

        usage.Add(new DateTimeOffset(2026, 11, 30, 23, 59, 59, TimeSpan.Zero), 60);

        Assert.Equal(60, usage.Used(new DateTimeOffset(2026, 11, 30, 23, 59, 59, TimeSpan.Zero)));
        Assert.Equal(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero), usage.ResetsAt(new DateTimeOffset(2026, 11, 30, 0, 0, 0, TimeSpan.Zero)));
        Assert.Equal(0, usage.Used(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero)));
    }

    [Fact]
    public void Refund_FailedRequest_UnitsGivenBack()
    {
        var usage = new WindowUsage(new AllowanceWindow("week", WindowKind.Rolling, TimeSpan.FromDays(7), 100));
        usage.Add(T0, 30);

        usage.Refund(T0, 30, T0.AddSeconds(5));

        Assert.Equal(0, usage.Used(T0.AddSeconds(5)));
    }

    [Theory]
    [InlineData(1, 0, 1)]
    [InlineData(1, 1000, 1)]
    [InlineData(1, 1001, 2)]
    [InlineData(3, 2500, 9)]
    public void Units_WeightTimesStartedBlocks_MinimumOne(long weight, long inputTokens, long expected)
    {
        var plan = new Plan("p", "P", 20, ["m"], [new AllowanceWindow("w", WindowKind.Calendar, TimeSpan.Zero, 10)],
            new Dictionary<string, long> { ["m"] = weight }, 1000, OveragePolicy.Block);

        Assert.Equal(expected, plan.Units("m", inputTokens));
    }

    [Fact]
    public void Of_SubscriptionEnums_NamesAreFrozen()
    {
        Assert.Equal(["block", "downgrade", "metered"], Enum.GetValues<OveragePolicy>().Select(StoredNames.Of));
        Assert.Equal(["session", "rolling", "calendar"], Enum.GetValues<WindowKind>().Select(StoredNames.Of));
        Assert.Equal(["trialing", "active", "past_due", "canceled"], Enum.GetValues<SubscriptionStatus>().Select(StoredNames.Of));
    }
}
