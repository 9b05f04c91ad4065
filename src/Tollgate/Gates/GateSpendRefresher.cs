using Tollgate.Billing.Catalog;
using Tollgate.Budgets;
using Tollgate.Catalog;
using Tollgate.Storage;

namespace Tollgate.Gates;

/// <summary>Reloads gate spend from the usage rollups and paid totals from the ledger, at start and once a minute.</summary>
internal sealed class GateSpendRefresher(GateSpend spend, IContractStore contracts, ITierStore paid, CatalogState catalog, TimeProvider time,
    ILogger<GateSpendRefresher> logger) : Hosting.PeriodicJob(time, logger)
{
    protected override string Doing => "Reading spend for gated models";

    public async Task RefreshAsync(CancellationToken cancellationToken = default)
    {
        var gated = catalog.Current.Models.Values.Where(m => m.Tier == ModelTier.Gated).Select(m => m.Id).ToHashSet(StringComparer.Ordinal);
        var since = DateOnly.FromDateTime(Time.GetUtcNow().UtcDateTime).AddDays(-GateSpend.KeptDays);
        spend.Replace(await contracts.DailySpendAsync(since, gated, cancellationToken), await paid.LoadPaidAsync(cancellationToken));
    }

    protected override Task RunPassAsync(CancellationToken cancellationToken) => RefreshAsync(cancellationToken);
}
