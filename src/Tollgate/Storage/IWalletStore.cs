using Tollgate.Billing.Wallets;
using Tollgate.Budgets;

namespace Tollgate.Storage;

/// <summary>Credit grants, their expiry, and the totals the in-memory accounts start from.</summary>
internal interface IWalletStore
{
    /// <summary>Stores the grant and its ledger entry in one transaction.</summary>
    Task AddGrantAsync(string customerId, Grant grant, string? note, AuditEntry audit, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<Grant>> ListGrantsAsync(string customerId, CancellationToken cancellationToken = default);

    /// <summary>What is left of each of the customer's grants now, by replaying the ledger.</summary>
    Task<WalletReplay.Result> ReplayAsync(string customerId, DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes an expiry entry for every grant past its expiry that has none yet, for exactly the
    /// remainder the replay finds at its expiry instant (zero included, so each grant is written off
    /// once); returns what left each wallet. A customer's grants are written off only up to
    /// <paramref name="settledUntil"/>'s instant for them (default: now): a grant that expired after
    /// a request still in flight started may yet fund that request.
    /// </summary>
    Task<IReadOnlyList<GrantExpiry>> ExpireDueAsync(DateTimeOffset now, Func<string, Task<DateTimeOffset>>? settledUntil = null,
        CancellationToken cancellationToken = default);

    /// <summary>
    /// Balances, this month's spend (from <paramref name="monthStart"/>), lifetime spend, and each wallet's grants as the replay leaves them at
    /// <paramref name="now"/>; a customer whose figures cannot be summed (beyond a decimal's range) is left out of them and named in
    /// <see cref="LoadedTotals.Held"/>.
    /// </summary>
    Task<LoadedTotals> LoadTotalsAsync(DateTimeOffset monthStart, DateTimeOffset now, CancellationToken cancellationToken = default);
}

/// <summary>The totals the accounts start from, and the customers (with why) whose stored figures could not be loaded: they are held closed.</summary>
internal sealed record LoadedTotals(AccountTotals Totals, IReadOnlyDictionary<string, string> Held);

/// <summary>An expiry entry written: what was left of <paramref name="GrantId"/> left the customer's wallet.</summary>
internal sealed record GrantExpiry(string CustomerId, string GrantId, decimal Amount);
