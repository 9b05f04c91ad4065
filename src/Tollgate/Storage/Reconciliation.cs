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

internal sealed record ReconciliationReport(IReadOnlyList<ReconciliationRow> Rows)
{
    public IEnumerable<ReconciliationRow> Differences => Rows.Where(r => !r.Agrees);

    public bool Agrees => Rows.All(r => r.Agrees);
}

/// <summary>Proves usage events = ledger = invoices, reading in one snapshot without blocking writers.</summary>
internal interface IReconciler
{
    /// <summary>All months with usage when <paramref name="period"/> is null.</summary>
    Task<ReconciliationReport> ReconcileAsync(BillingPeriod? period, CancellationToken cancellationToken = default);
}
