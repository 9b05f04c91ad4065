namespace Tollgate.Storage;

/// <summary>
/// The ledger's figures as of one database snapshot, and which customers' entries were committed
/// since an earlier one: what keeps Redis's copy of the books exact (PostgreSQL only).
/// </summary>
internal interface ILedgerSnapshots
{
    /// <summary>
    /// The customers' balances, spend (this month from <paramref name="monthStart"/>, and ever) and the grants
    /// still to expire with what each will take with it (replayed at <paramref name="now"/>), all at one snapshot.
    /// </summary>
    Task<LedgerFigures> ReadAsync(IReadOnlyCollection<string> customerIds, DateTimeOffset monthStart, DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>
    /// The customers with ledger entries committed after <paramref name="since"/> (every customer with an
    /// entry when null), and the snapshot they were found in, for the next call.
    /// </summary>
    Task<(IReadOnlyList<string> Customers, string Snapshot)> ChangedSinceAsync(string? since, CancellationToken cancellationToken = default);
}

/// <summary>
/// Figures read at <see cref="Snapshot"/> (<c>xmin:xmax:xip,…</c>): per customer its ledger balance
/// and this month's spend, per key this month's and lifetime spend. Absent means zero.
/// </summary>
internal sealed record LedgerFigures(
    string Snapshot,
    IReadOnlyDictionary<string, decimal> Balances,
    IReadOnlyDictionary<string, decimal> CustomerMonthSpend,
    IReadOnlyDictionary<string, decimal> KeyMonthSpend,
    IReadOnlyDictionary<string, decimal> KeyLifetimeSpend,
    IReadOnlyDictionary<string, IReadOnlyList<string>> KeysWithSpend)
{
    /// <summary>
    /// Per customer, each grant not yet written off that has an expiry: when, and what it holds then at most
    /// (its remainder now: later spending only lowers it). From that instant the wallet may not count it.
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyList<(DateTimeOffset At, decimal Amount)>> Expiring { get; init; } =
        new Dictionary<string, IReadOnlyList<(DateTimeOffset At, decimal Amount)>>();
}
