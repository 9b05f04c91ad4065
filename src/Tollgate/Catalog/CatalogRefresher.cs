using Tollgate.Storage;

namespace Tollgate.Catalog;

/// <summary>
/// Reloads the snapshot after a change and swaps it in whole; reloads never overlap. A change made
/// on this node is announced to the others (when a cluster has a channel for it); a reload that
/// follows another node's announcement or the version check is not announced again.
/// </summary>
internal sealed class CatalogRefresher(ICatalogStore store, CatalogState state, Budgets.Accounts accounts, Subscriptions.IAllowanceWindows allowances,
    ICatalogAnnouncer? announcer = null) : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>After a change made here.</summary>
    public async Task ReloadAsync(CancellationToken cancellationToken = default)
    {
        var version = await LoadAsync(cancellationToken);
        if (announcer is not null) await announcer.AnnounceAsync(version);
    }

    /// <summary>After a change another node made.</summary>
    public Task FollowAsync(CancellationToken cancellationToken = default) => LoadAsync(cancellationToken);

    private async Task<long> LoadAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var snapshot = await store.LoadSnapshotAsync(cancellationToken);
            // Accounts first: a request that sees a new key or limit finds its account ready.
            accounts.Apply(snapshot);
            allowances.Apply(snapshot);
            state.Swap(snapshot);
            return snapshot.Version;
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose() => _gate.Dispose();
}
