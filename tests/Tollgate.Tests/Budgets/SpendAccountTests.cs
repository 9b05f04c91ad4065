using Tollgate.Billing.Wallets;
using Tollgate.Budgets;

namespace Tollgate.Tests.Budgets;

/// <summary>A live wallet consumes its grants as the ledger's replay will, whatever order requests finish in.</summary>
public sealed class SpendAccountTests
{
    private static readonly DateTimeOffset Start = new(2027, 2, 27, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Settle_RequestsFinishOutOfStartOrder_GrantsConsumedInStartOrderAsTheReplayDoes()
    {
        // P: promotional $1 expiring in 1 day; Q: purchased $1 expiring in 2 days; R: promotional $1 made at +1 h, never expiring.
        // A starts at +30 min, B at +2 h; each is charged $1 and B finishes first.
        // Replay (by start): A takes P (R does not exist yet), B takes R (P is empty), Q expires holding $1.
        // Consumed by finishing order instead, B would take P and A then Q, leaving R's $1 spendable after Q's
        // expiry entry of $1 is written: $1 spent twice. After 2 days nothing is spendable.
        var p = new Grant("p", GrantKind.Promotional, 1m, Start, Start.AddDays(1));
        var q = new Grant("q", GrantKind.Purchased, 1m, Start, Start.AddDays(2));
        var r = new Grant("r", GrantKind.Promotional, 1m, Start.AddHours(1), null);
        var wallet = new SpendAccount("wallet", 0m, 0m, [], Start);
        wallet.AddGrant(p);
        wallet.AddGrant(q);
        var a = Start.AddMinutes(30);
        Assert.True(wallet.TryReserve(1m, a, a));
        wallet.AddGrant(r);
        var b = Start.AddHours(2);
        Assert.True(wallet.TryReserve(1m, b, b));

        wallet.Settle(1m, 1m, b.AddMinutes(1), b);
        wallet.Settle(1m, 1m, b.AddMinutes(2), a);
        var afterQExpired = Start.AddDays(2).AddSeconds(1);
        var replay = WalletReplay.Run([p, q, r], [new(a, 1m), new(b, 1m)], afterQExpired);

        Assert.Equal(1m, replay.Expired["q"]);
        Assert.Equal(0m, wallet.View(afterQExpired).Available);
        Assert.False(wallet.TryReserve(0.01m, afterQExpired, afterQExpired));
    }

    [Fact]
    public void Settle_EarlierRequestStillOpen_LaterDebitWaitsAndAdmissionOnlyErrsLow()
    {
        // $1 promotional expiring at +1 h and $1 purchased. A (started first) is still open when B settles $1:
        // until A settles, the wallet cannot know which grant B's dollar came from, so it counts the worst case.
        var promo = new Grant("promo", GrantKind.Promotional, 1m, Start, Start.AddHours(1));
        var paid = new Grant("paid", GrantKind.Purchased, 1m, Start, null);
        var wallet = new SpendAccount("wallet", 0m, 0m, [], Start);
        wallet.AddGrant(promo);
        wallet.AddGrant(paid);
        var a = Start.AddMinutes(1);
        Assert.True(wallet.TryReserve(0.5m, a, a));
        var b = Start.AddMinutes(2);
        Assert.True(wallet.TryReserve(1m, b, b));
        wallet.Settle(1m, 1m, b, b);

        // After the promotional grant expired: funds 1, A holds 0.5; B's waiting dollar still counts against 'promo',
        // so 'promo' looks fully unusable (1) and available is 1 − 1 − 0.5 < 0: refused, never overspent.
        var later = Start.AddHours(2);
        Assert.False(wallet.TryReserve(0.01m, later, later));
        wallet.Settle(0.5m, 0m, later, a);

        // A charged nothing: B's dollar came from 'promo' (soonest expiry), so 'paid' keeps its $1.
        Assert.Equal(1m, wallet.View(later).Available);
    }
}
