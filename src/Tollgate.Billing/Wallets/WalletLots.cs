namespace Tollgate.Billing.Wallets;

/// <summary>
/// What is left of each grant in a wallet, kept in the order debits consume them: promotional
/// before purchased; within each, the soonest expiry first, never-expiring grants last, then the
/// oldest first. A grant backs a debit only at instants in [created, expires): it is unusable from
/// its expiry instant on, whether or not its expiry entry has been written yet. Pure and not
/// thread-safe: the replay uses it over a ledger's history, a wallet's account under its lock.
/// </summary>
public sealed class WalletLots
{
    private readonly List<Lot> _lots = [];

    private sealed class Lot(Grant grant, decimal remaining)
    {
        public Grant Grant { get; } = grant;

        public decimal Remaining { get; set; } = remaining;
    }

    /// <summary>How much of a debit grants paid nothing of (postpaid use, a credit limit), and how much promotional grants paid.</summary>
    public readonly record struct Taken(decimal Unfunded, decimal Promotional);

    /// <summary>The order grants are consumed in; the one rule both the replay and a live wallet follow.</summary>
    public static int CompareConsumption(Grant a, Grant b)
    {
        var kind = Rank(a.Kind).CompareTo(Rank(b.Kind));
        if (kind != 0) return kind;
        var expiry = (a.ExpiresAt, b.ExpiresAt) switch
        {
            ({ } x, { } y) => x.CompareTo(y),
            (not null, null) => -1,
            (null, not null) => 1,
            _ => 0,
        };
        if (expiry != 0) return expiry;
        var created = a.CreatedAt.CompareTo(b.CreatedAt);
        return created != 0 ? created : string.CompareOrdinal(a.Id, b.Id);
    }

    private static int Rank(GrantKind kind) => kind == GrantKind.Promotional ? 0 : 1;

    /// <summary>Adds a grant with what is left of it (all of it, for a new grant).</summary>
    public void Add(Grant grant, decimal remaining)
    {
        var index = _lots.FindIndex(l => CompareConsumption(grant, l.Grant) < 0);
        _lots.Insert(index < 0 ? _lots.Count : index, new Lot(grant, remaining));
    }

    /// <summary>Takes a debit made at <paramref name="at"/> from the grants usable then, in consumption order.</summary>
    public Taken Consume(decimal amount, DateTimeOffset at)
    {
        var left = amount;
        var promotional = 0m;
        foreach (var lot in _lots)
        {
            if (left <= 0) break;
            if (!Usable(lot.Grant, at) || lot.Remaining <= 0) continue;
            var take = Math.Min(left, lot.Remaining);
            lot.Remaining -= take;
            left -= take;
            if (lot.Grant.Kind == GrantKind.Promotional) promotional += take;
        }
        return new Taken(left, promotional);
    }

    /// <summary>
    /// What the wallet holds but cannot spend at <paramref name="now"/>: the remainders of grants
    /// expired by then (their expiry entries not yet written), and of grants made after
    /// <paramref name="fundedAt"/>, the instant a request's debit will be dated.
    /// </summary>
    public decimal Unusable(DateTimeOffset now, DateTimeOffset fundedAt)
    {
        var total = 0m;
        foreach (var lot in _lots)
        {
            if (lot.Grant.ExpiresAt is { } end && end <= now || lot.Grant.CreatedAt > fundedAt) total += lot.Remaining;
        }
        return total;
    }

    /// <summary>Removes the grants expired at <paramref name="at"/>, returning each one's unused remainder (zero included).</summary>
    public IReadOnlyList<(Grant Grant, decimal Remaining)> ExpireAt(DateTimeOffset at)
    {
        List<(Grant, decimal)>? expired = null;
        for (var i = _lots.Count - 1; i >= 0; i--)
        {
            var lot = _lots[i];
            if (lot.Grant.ExpiresAt is not { } end || end > at) continue;
            (expired ??= []).Add((lot.Grant, lot.Remaining));
            _lots.RemoveAt(i);
        }
        if (expired is null) return [];
        expired.Reverse();
        return expired;
    }

    /// <summary>Takes one grant out (its expiry entry was written); returns what was left of it, or null if it was not here.</summary>
    public decimal? Remove(string grantId)
    {
        var index = _lots.FindIndex(l => l.Grant.Id == grantId);
        if (index < 0) return null;
        var remaining = _lots[index].Remaining;
        _lots.RemoveAt(index);
        return remaining;
    }

    /// <summary>What is left of each grant still held.</summary>
    public IReadOnlyDictionary<string, decimal> Remaining() => _lots.ToDictionary(l => l.Grant.Id, l => l.Remaining, StringComparer.Ordinal);

    /// <summary>The grants still held, each with what is left of it, in consumption order.</summary>
    public IReadOnlyList<(Grant Grant, decimal Remaining)> Held() => [.. _lots.Select(l => (l.Grant, l.Remaining))];

    private static bool Usable(Grant grant, DateTimeOffset at) => grant.CreatedAt <= at && (grant.ExpiresAt is not { } end || at < end);
}
