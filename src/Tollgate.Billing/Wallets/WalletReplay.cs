namespace Tollgate.Billing.Wallets;

/// <summary>
/// Replays a wallet's history to tell how much of each grant is left: every debit is taken from
/// the grants usable at its time in <see cref="WalletLots"/>' order; at a grant's expiry instant
/// exactly its unused remainder leaves. Pure and deterministic, so the same ledger always gives
/// the same answer, and a live wallet that applies the same debits at the same times agrees with it.
/// </summary>
public static class WalletReplay
{
    /// <summary>
    /// A debit (positive amount) taken from the wallet at a time; <paramref name="Id"/> names it in
    /// <see cref="Result.PromotionalTaken"/>. A request's debit is dated when the request started,
    /// the instant its funds were judged, not when it completed.
    /// </summary>
    public readonly record struct Debit(DateTimeOffset At, decimal Amount, long Id = 0);

    public sealed record Result(IReadOnlyDictionary<string, decimal> Remaining, IReadOnlyDictionary<string, decimal> Expired, decimal Unfunded)
    {
        /// <summary>How much of each debit promotional grants paid (debits they paid nothing of are left out): a discount, not revenue.</summary>
        public IReadOnlyList<(Debit Debit, decimal Amount)> PromotionalTaken { get; init; } = [];

        /// <summary>The grants not yet expired at the replay's end, with what is left of each, in consumption order.</summary>
        public IReadOnlyList<(Grant Grant, decimal Remaining)> Held { get; init; } = [];
    }

    /// <summary>
    /// Remaining credit per grant at <paramref name="now"/>, the amount each expired grant lost at its expiry,
    /// and debits no grant covered (postpaid use, or a charge beyond credit).
    /// </summary>
    public static Result Run(IEnumerable<Grant> grants, IEnumerable<Debit> debits, DateTimeOffset now)
    {
        var all = grants.ToList();
        var lots = new WalletLots();
        foreach (var grant in all) lots.Add(grant, grant.Amount);
        var expired = new Dictionary<string, decimal>(StringComparer.Ordinal);
        var unfunded = 0m;
        var promotional = new List<(Debit, decimal)>();
        foreach (var debit in debits.Where(d => d.At <= now).OrderBy(d => d.At))
        {
            Expire(lots, expired, debit.At);
            var taken = lots.Consume(debit.Amount, debit.At);
            if (taken.Promotional > 0) promotional.Add((debit, taken.Promotional));
            unfunded += taken.Unfunded;
        }
        Expire(lots, expired, now);
        var remaining = lots.Remaining().ToDictionary(StringComparer.Ordinal);
        foreach (var grant in all) remaining.TryAdd(grant.Id, 0m);
        return new Result(remaining, expired, unfunded) { PromotionalTaken = promotional, Held = lots.Held() };
    }

    private static void Expire(WalletLots lots, Dictionary<string, decimal> expired, DateTimeOffset at)
    {
        foreach (var (grant, left) in lots.ExpireAt(at)) expired[grant.Id] = left;
    }
}
