namespace Tollgate.Billing.Wallets;

/// <summary>
/// Replays a wallet's history to tell how much of each grant is left: every debit is taken from
/// the grants active at its time, promotional first, then oldest first; at a grant's expiry its
/// remainder leaves. Pure and deterministic, so the same ledger always gives the same answer.
/// </summary>
public static class WalletReplay
{
    /// <summary>A debit (positive amount) taken from the wallet at a time; <paramref name="Id"/> names it in <see cref="Result.PromotionalTaken"/>.</summary>
    public readonly record struct Debit(DateTimeOffset At, decimal Amount, long Id = 0);

    public sealed record Result(IReadOnlyDictionary<string, decimal> Remaining, IReadOnlyDictionary<string, decimal> Expired, decimal Unfunded)
    {
        /// <summary>How much of each debit promotional grants paid (debits they paid nothing of are left out): a discount, not revenue.</summary>
        public IReadOnlyList<(Debit Debit, decimal Amount)> PromotionalTaken { get; init; } = [];
    }

    /// <summary>
    /// Remaining credit per grant at <paramref name="now"/>, the amount each expired grant lost at its expiry,
    /// and debits no grant covered (postpaid use, or a charge beyond credit).
    /// </summary>
    public static Result Run(IEnumerable<Grant> grants, IEnumerable<Debit> debits, DateTimeOffset now)
    {
        var ordered = grants.OrderBy(g => g.CreatedAt).ThenBy(g => g.Id, StringComparer.Ordinal).ToList();
        var remaining = ordered.ToDictionary(g => g.Id, g => g.Amount, StringComparer.Ordinal);
        var expired = new Dictionary<string, decimal>(StringComparer.Ordinal);
        var unfunded = 0m;
        var promotional = new List<(Debit, decimal)>();
        foreach (var debit in debits.Where(d => d.At <= now).OrderBy(d => d.At))
        {
            Expire(ordered, remaining, expired, debit.At);
            var left = debit.Amount;
            var fromPromotional = 0m;
            foreach (var grant in ordered.Where(g => g.CreatedAt <= debit.At && !expired.ContainsKey(g.Id))
                         .OrderBy(g => g.Kind == GrantKind.Promotional ? 0 : 1))
            {
                if (left <= 0) break;
                var take = Math.Min(left, remaining[grant.Id]);
                remaining[grant.Id] -= take;
                left -= take;
                if (grant.Kind == GrantKind.Promotional) fromPromotional += take;
            }
            if (fromPromotional > 0) promotional.Add((debit, fromPromotional));
            unfunded += left;
        }
        Expire(ordered, remaining, expired, now);
        return new Result(remaining, expired, unfunded) { PromotionalTaken = promotional };
    }

    private static void Expire(List<Grant> grants, Dictionary<string, decimal> remaining, Dictionary<string, decimal> expired, DateTimeOffset at)
    {
        foreach (var grant in grants)
        {
            if (grant.ExpiresAt is { } end && end <= at && !expired.ContainsKey(grant.Id))
            {
                expired[grant.Id] = remaining[grant.Id];
                remaining[grant.Id] = 0;
            }
        }
    }
}
