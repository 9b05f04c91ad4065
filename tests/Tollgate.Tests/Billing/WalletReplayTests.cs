using Tollgate.Billing.Wallets;

namespace Tollgate.Tests.Billing;

public sealed class WalletReplayTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Run_DebitAcrossGrants_TakesPromotionalFirstThenOldest()
    {
        Grant[] grants =
        [
            new("old", GrantKind.Purchased, 5m, T0, null),
            new("new", GrantKind.Purchased, 5m, T0.AddDays(1), null),
            new("promo", GrantKind.Promotional, 2m, T0.AddDays(2), null),
        ];

        var result = WalletReplay.Run(grants, [new(T0.AddDays(3), 4m)], T0.AddDays(4));

        Assert.Equal(0m, result.Remaining["promo"]);
        Assert.Equal(3m, result.Remaining["old"]);
        Assert.Equal(5m, result.Remaining["new"]);
        Assert.Equal(0m, result.Unfunded);
    }

    [Fact]
    public void Run_GrantExpires_RemainderLeavesAndLaterDebitsUseOthers()
    {
        Grant[] grants =
        [
            new("promo", GrantKind.Promotional, 3m, T0, T0.AddDays(10)),
            new("paid", GrantKind.Purchased, 5m, T0, null),
        ];

        var result = WalletReplay.Run(grants, [new(T0.AddDays(1), 1m), new(T0.AddDays(11), 2m)], T0.AddDays(12));

        Assert.Equal(2m, result.Expired["promo"]);
        Assert.Equal(0m, result.Remaining["promo"]);
        Assert.Equal(3m, result.Remaining["paid"]);
    }

    [Fact]
    public void Run_DebitBeyondCredit_ReportsUnfunded()
    {
        var result = WalletReplay.Run([new Grant("g", GrantKind.Purchased, 1m, T0, null)], [new(T0.AddHours(1), 1.5m)], T0.AddDays(1));

        Assert.Equal(0m, result.Remaining["g"]);
        Assert.Equal(0.5m, result.Unfunded);
    }

    [Fact]
    public void Run_DebitBeforeGrantExisted_IsNotTakenFromIt()
    {
        var result = WalletReplay.Run([new Grant("later", GrantKind.Purchased, 1m, T0.AddDays(1), null)], [new(T0, 0.25m)], T0.AddDays(2));

        Assert.Equal(1m, result.Remaining["later"]);
        Assert.Equal(0.25m, result.Unfunded);
    }
}
