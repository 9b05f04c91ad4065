using Tollgate.Storage;

namespace Tollgate.Catalog;

/// <summary>Reloads the snapshot after a change and swaps it in whole; reloads never overlap.</summary>
internal sealed class CatalogRefresher(ICatalogStore store, CatalogState state) : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    public async Task ReloadAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            state.Swap(await store.LoadSnapshotAsync(cancellationToken));
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose() => _gate.Dispose();
}
