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
    /// <summary>The settings row holding a random id written into a new database, so a database put in its place is told apart from it.</summary>
    public const string DatabaseIdSetting = "database_id";

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

    /// <summary>
    /// The data directory shows this node kept books before (<paramref name="evidence"/>), yet the
    /// database is missing or empty: it was lost, not never made, so a new empty one is created only
    /// when the operator says so (<c>--new-database</c>).
    /// </summary>
    protected static Hosting.StartupException EmptyBooksRefused(string dataDir, string evidence, string missing, string restore) => new(
        $"The data directory {Path.GetFullPath(dataDir)} has {evidence} but {missing}: " +
        $"the database was deleted, moved or recreated, and starting would silently begin empty books. Restore the database ({restore}), " +
        "or start with --new-database to create a new, empty one on purpose.");
}
