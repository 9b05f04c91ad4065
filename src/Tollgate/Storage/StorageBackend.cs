namespace Tollgate.Storage;

/// <summary>The stores <see cref="Hosting.Bootstrap"/> needs before the host exists.</summary>
internal sealed record CoreStores(ICatalogStore Catalog, IModelStore Models, ICustomerStore Customers, IWalletStore Wallets, IAdminTokenStore AdminTokens,
    IContractStore Contracts);

/// <summary>
/// Where a node keeps its books: the embedded SQLite file (one node) or a shared PostgreSQL
/// database (any number of nodes). Each backend brings its own schema and an implementation of
/// every store interface; one conformance suite holds them to the same behaviour.
/// </summary>
internal abstract class StorageBackend : IAsyncDisposable
{
    /// <summary>For messages and logs: never a password.</summary>
    public abstract string Description { get; }

    /// <summary>Whether other nodes may share this database (and so need shared counters and one leader).</summary>
    public abstract bool Shared { get; }

    /// <summary>Brings the schema to its latest version and returns the stores bootstrap needs.</summary>
    public abstract Task<CoreStores> OpenAsync(TimeProvider time, CancellationToken cancellationToken = default);

    /// <summary>Registers the database and every store interface, the usage writer included.</summary>
    public abstract void AddServices(IServiceCollection services);

    /// <summary>Whether the database answers now (readiness).</summary>
    public abstract Task<bool> PingAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Why the database this node writes to is no longer the one it opened (a file deleted or
    /// replaced under it); null when it still is, or when the backend cannot tell.
    /// </summary>
    public virtual Task<string?> CheckIdentityAsync(CancellationToken cancellationToken = default) => Task.FromResult<string?>(null);

    public abstract ValueTask DisposeAsync();
}
