using Tollgate.Storage;

namespace Tollgate.Catalog;

/// <summary>Reloads the snapshot after a change and swaps it in whole; reloads never overlap.</summary>
internal sealed class CatalogRefresher(ICatalogStore store, CatalogState state, Budgets.Accounts accounts, Subscriptions.Allowances allowances) : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    public async Task ReloadAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var snapshot = await store.LoadSnapshotAsync(cancellationToken);
            // Accounts first: a request that sees a new key or limit finds its account ready.
            accounts.Apply(snapshot);
            allowances.Apply(snapshot);
            state.Swap(snapshot);
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose() => _gate.Dispose();
}
