using Tollgate.Billing.Ledger;

namespace Tollgate.Storage;

/// <summary>Appends ledger entries outside the usage path (grants, payments, adjustments).</summary>
internal interface ILedgerWriter
{
    /// <summary>Idempotent on (kind, reference): appending the same entry twice stores it once.</summary>
    Task AppendAsync(string customerId, LedgerEntryKind kind, decimal amount, string reference, DateTimeOffset at, CancellationToken cancellationToken = default);

    Task<decimal> BalanceAsync(string customerId, CancellationToken cancellationToken = default);
}
