using Tollgate.Billing.Wallets;

namespace Tollgate.Tests.Billing;

/// <summary>The grant order and the expiry instant, as the live wallet and the replay both apply them.</summary>
public sealed class WalletLotsTests
{
    private static readonly DateTimeOffset T0 = new(2027, 2, 28, 23, 59, 59, TimeSpan.Zero);

    [Fact]
    public void Run_TwoPromotionalGrants_SoonestExpiryIsSpentFirst()
    {
        // The case: $1 expiring tomorrow and $1 in 10 days; spend must come off tomorrow's.
        Grant[] grants =
        [
            new("ten-days", GrantKind.Promotional, 1m, T0, T0.AddDays(10)),
            new("tomorrow", GrantKind.Promotional, 1m, T0.AddSeconds(1), T0.AddDays(1)),
        ];

        var result = WalletReplay.Run(grants, [new(T0.AddHours(1), 0.75m)], T0.AddDays(2));

        Assert.Equal(0.25m, result.Expired["tomorrow"]);
        Assert.Equal(1m, result.Remaining["ten-days"]);
    }

    [Fact]
    public void CompareConsumption_MixedGrants_PromotionalSoonestFirstNeverExpiringLastThenPurchasedAlike()
    {
        Grant[] grants =
        [
            new("paid-forever-old", GrantKind.Purchased, 1m, T0, null),
            new("paid-soon", GrantKind.Purchased, 1m, T0.AddDays(3), T0.AddDays(5)),
            new("promo-forever-new", GrantKind.Promotional, 1m, T0.AddDays(2), null),
            new("promo-forever-old", GrantKind.Promotional, 1m, T0.AddDays(1), null),
            new("promo-late", GrantKind.Promotional, 1m, T0, T0.AddDays(30)),
            new("promo-soon", GrantKind.Promotional, 1m, T0.AddDays(4), T0.AddDays(6)),
            new("paid-forever-new", GrantKind.Purchased, 1m, T0.AddDays(4), null),
        ];
        var lots = new WalletLots();
        foreach (var grant in grants) lots.Add(grant, grant.Amount);

        Assert.Equal(["promo-soon", "promo-late", "promo-forever-old", "promo-forever-new", "paid-soon", "paid-forever-old", "paid-forever-new"],
            lots.Held().Select(l => l.Grant.Id));
    }

    [Fact]
    public void Consume_AtTheExpiryInstant_GrantIsNoLongerUsable()
    {
        var lots = new WalletLots();
        lots.Add(new Grant("g", GrantKind.Promotional, 1m, T0, T0.AddDays(1)), 1m);

        var atExpiry = lots.Consume(0.5m, T0.AddDays(1));
        var justBefore = lots.Consume(0.5m, T0.AddDays(1).AddTicks(-1));

        Assert.Equal(0.5m, atExpiry.Unfunded);
        Assert.Equal(0m, justBefore.Unfunded);
        Assert.Equal(0.5m, lots.Remaining()["g"]);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(300)]
    public void Unusable_FromTheExpiryInstantOn_CountsTheWholeRemainder(int millisecondsAfter)
    {
        var lots = new WalletLots();
        var expiry = T0.AddDays(1);
        lots.Add(new Grant("g", GrantKind.Promotional, 1m, T0, expiry), 1m);
        lots.Add(new Grant("paid", GrantKind.Purchased, 2m, T0, null), 2m);

        Assert.Equal(0m, lots.Unusable(expiry.AddTicks(-1), expiry.AddTicks(-1)));
        Assert.Equal(1m, lots.Unusable(expiry.AddMilliseconds(millisecondsAfter), expiry.AddMilliseconds(millisecondsAfter)));
    }

    [Fact]
    public void Unusable_GrantMadeAfterTheRequestStarted_DoesNotBackIt()
    {
        var lots = new WalletLots();
        lots.Add(new Grant("later", GrantKind.Purchased, 1m, T0.AddSeconds(1), null), 1m);

        Assert.Equal(1m, lots.Unusable(T0.AddSeconds(2), fundedAt: T0));
        Assert.Equal(0m, lots.Unusable(T0.AddSeconds(2), fundedAt: T0.AddSeconds(1)));
    }

    [Fact]
    public void Run_DebitDatedBeforeExpiryRecordedAfter_IsFundedAndTheExpiryIsExactlyTheRest()
    {
        // A request that started a moment before the grant expired is paid by it: the expiry entry is what is left.
        var grant = new Grant("g", GrantKind.Promotional, 1m, T0, T0.AddDays(1));

        var result = WalletReplay.Run([grant], [new(T0.AddDays(1).AddMilliseconds(-1), 0.00625m)], T0.AddDays(2));

        Assert.Equal(0.99375m, result.Expired["g"]);
        Assert.Equal(0m, result.Unfunded);
    }

    [Fact]
    public void Run_LeapDayExpiry_RemainderLeavesAtThatInstant()
    {
        var leap = new DateTimeOffset(2028, 2, 29, 0, 0, 0, TimeSpan.Zero);
        var grant = new Grant("g", GrantKind.Promotional, 5m, leap.AddDays(-1), leap);

        var result = WalletReplay.Run([grant], [new(leap.AddTicks(-1), 1m), new(leap, 1m)], leap.AddDays(1));

        Assert.Equal(4m, result.Expired["g"]);
        Assert.Equal(1m, result.Unfunded);
    }
}
