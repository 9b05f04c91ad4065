using Tollgate.Catalog;

namespace Tollgate.Storage;

/// <summary>Reads the whole catalog into the data plane's snapshot; keeps node-level settings.</summary>
internal interface ICatalogStore
{
    /// <summary>Reads everything the data plane needs into one immutable snapshot.</summary>
    Task<CatalogSnapshot> LoadSnapshotAsync(CancellationToken cancellationToken = default);

    /// <summary>The version every admin change increases: a node whose snapshot is older reloads.</summary>
    Task<long> GetVersionAsync(CancellationToken cancellationToken = default);

    Task<bool> HasAnyModelAsync(CancellationToken cancellationToken = default);

    Task<string?> GetSettingAsync(string key, CancellationToken cancellationToken = default);

    Task SetSettingAsync(string key, string value, CancellationToken cancellationToken = default);
}
