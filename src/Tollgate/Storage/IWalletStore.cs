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
    /// Writes an expiry entry for every grant past its expiry that has none yet, for the remainder
    /// the replay finds; returns the amounts that left each customer's wallet.
    /// </summary>
    Task<IReadOnlyList<(string CustomerId, decimal Amount)>> ExpireDueAsync(DateTimeOffset now, CancellationToken cancellationToken = default);

    Task<AccountTotals> LoadTotalsAsync(DateTimeOffset monthStart, CancellationToken cancellationToken = default);
}
