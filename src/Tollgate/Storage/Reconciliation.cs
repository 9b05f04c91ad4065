using Tollgate.Billing.Invoices;

namespace Tollgate.Storage;

/// <summary>
/// One customer's usage of one month as each record of it says: usage events' charged amounts,
/// ledger usage entries, rollups, and the usage lines of finalized invoices (exact, before rounding).
/// <see cref="Pending"/> is rolled-up usage no finalized invoice bills yet (the period is still open).
/// </summary>
internal sealed record ReconciliationRow(string CustomerId, BillingPeriod Period, decimal Events, decimal Ledger, decimal Rollups, decimal Invoiced, decimal Pending)
{
    public bool Agrees => Events == Ledger && Events == Rollups && Invoiced + Pending == Rollups;
}

/// <summary>
/// One finalized invoice after rounding: what its lines charge in cents, and what the ledger moved for
/// it (the entries its lines bill, its exact usage, and its rounding entry). Equal when the books agree.
/// </summary>
internal sealed record InvoiceCheck(string InvoiceId, string? Number, string CustomerId, BillingPeriod Period, decimal Invoiced, decimal Ledger)
{
    public bool Agrees => Invoiced == Ledger;
}

/// <summary>The first instant in a prepaid customer's replayed ledger at which the balance was below zero.</summary>
internal sealed record NegativeBalance(string CustomerId, DateTimeOffset At, decimal Balance);

internal sealed record ReconciliationReport(IReadOnlyList<ReconciliationRow> Rows)
{
    public IEnumerable<ReconciliationRow> Differences => Rows.Where(r => !r.Agrees);

    /// <summary>Every finalized invoice of the range, checked after rounding.</summary>
    public IReadOnlyList<InvoiceCheck> Invoices { get; init; } = [];

    /// <summary>Prepaid customers whose ledger, replayed in time order, ever went below zero.</summary>
    public IReadOnlyList<NegativeBalance> NegativeBalances { get; init; } = [];

    public bool Agrees => Rows.All(r => r.Agrees) && Invoices.All(i => i.Agrees) && NegativeBalances.Count == 0;
}

/// <summary>Proves usage events = ledger = invoices, reading in one snapshot without blocking writers.</summary>
internal interface IReconciler
{
    /// <summary>All months with usage when <paramref name="period"/> is null.</summary>
    Task<ReconciliationReport> ReconcileAsync(BillingPeriod? period, CancellationToken cancellationToken = default);
}
