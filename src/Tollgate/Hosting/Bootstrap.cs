using System.Text;
using Tollgate.Catalog;
using Tollgate.Demo;
using Tollgate.Security;
using Tollgate.Storage;
using Tollgate.Storage.Postgres;
using Tollgate.Storage.Sqlite;

namespace Tollgate.Hosting;

/// <summary>
/// What must be true before the first request: the data directory, the schema at its latest
/// version, the key pepper (checked against the database), the bootstrap admin token, the demo
/// data on a new database, and the first catalog snapshot.
/// </summary>
internal static class Bootstrap
{
    public const string PepperFingerprintSetting = "key_pepper_fingerprint";

    public static async Task<BootstrapResult> RunAsync(ServeSettings settings, TimeProvider time, Action<string> announce, CancellationToken cancellationToken = default)
    {
        if (settings.Redis is not null && settings.Database is null)
            throw new StartupException("--redis (TOLLGATE_REDIS) holds counters shared by the nodes of one PostgreSQL database: give --database (TOLLGATE_DATABASE) too. " +
                "A single node on the embedded database keeps its counters in memory and needs no Redis.");
        DataDirectory.Ensure(settings.DataDir);
        StorageBackend storage = settings.Database is not null ? new PostgresStorage(settings) : new SqliteStorage(settings);
        try
        {
            return await RunAsync(settings, storage, time, announce, cancellationToken);
        }
        catch
        {
            await storage.DisposeAsync();
            throw;
        }
    }

    private static async Task<BootstrapResult> RunAsync(ServeSettings settings, StorageBackend storage, TimeProvider time, Action<string> announce,
        CancellationToken cancellationToken)
    {
        CoreStores stores;
        try
        {
            stores = await storage.OpenAsync(time, cancellationToken);
        }
        catch (Npgsql.NpgsqlException ex)
        {
            throw new StartupException($"Cannot open the database ({storage.Description}): {ex.Message}");
        }
        var hasher = new SecretHasher(DataDirectory.LoadOrCreatePepper(settings.DataDir, settings.KeyPepper));
        var (catalog, models, customers, wallets, adminTokens, _) = stores;

        var fingerprint = hasher.Fingerprint();
        var stored = await catalog.GetSettingAsync(PepperFingerprintSetting, cancellationToken);
        if (stored is null)
            await catalog.SetSettingAsync(PepperFingerprintSetting, fingerprint, cancellationToken);
        else if (stored != fingerprint)
            throw new StartupException(
                "The key pepper differs from the one this database was created with, so no stored API key or admin token would match. " +
                $"Give the original TOLLGATE_KEY_PEPPER, or restore {Path.Combine(settings.DataDir, DataDirectory.PepperFile)}.");

        if (settings.AdminToken is null && !await adminTokens.AnyAsync(cancellationToken))
        {
            var (id, secret) = SecretFormat.AdminToken.Create();
            var now = time.GetUtcNow();
            await adminTokens.CreateAsync(new AdminTokenRecord(id, "bootstrap", hasher.Hash(secret), ["full"], now, null),
                new AuditEntry("system:bootstrap", "admin_token.create", "admin_token", id, null, null, now), cancellationToken);
            announce($"""
                Admin token (scope: full) — shown once, stored only as a hash:
                    {secret}
                Keep it: export TOLLGATE_ADMIN_TOKEN={secret}
                """);
        }

        string? demoApiKey = null;
        if (settings.Demo && !await catalog.HasAnyModelAsync(cancellationToken))
        {
            var seed = await new DemoSeeder(models, customers, wallets, stores.Contracts, hasher, time)
                .SeedAsync(DemoCatalog.Models(settings.SimulatedEmbeddings), cancellationToken);
            demoApiKey = seed.ApiKey;
            var credentials = DemoCredentials(settings, seed);
            DataDirectory.WriteOwnerOnly(Path.Combine(settings.DataDir, DataDirectory.DemoCredentialsFile), credentials);
            announce(credentials);
        }

        var snapshot = await catalog.LoadSnapshotAsync(cancellationToken);
        var loaded = await wallets.LoadTotalsAsync(Budgets.BudgetPeriods.MonthStart(time.GetUtcNow()), time.GetUtcNow(), cancellationToken);
        Storage.Redis.SharedState? shared = null;
        if (settings.Redis is { } redis)
        {
            try
            {
                shared = await Storage.Redis.SharedState.ConnectAsync(redis, settings.RedisPrefix);
            }
            catch (Storage.Redis.SharedStateUnavailableException ex)
            {
                throw new StartupException(ex.Message);
            }
        }
        return new BootstrapResult(storage, hasher, catalog, models, customers, wallets, adminTokens, snapshot, loaded.Totals, demoApiKey)
        {
            Shared = shared,
            Held = loaded.Held,
        };
    }

    private static string DemoCredentials(ServeSettings settings, DemoSeed seed)
    {
        var (customerId, apiKey) = (seed.CustomerId, seed.ApiKey);
        var baseUrl = settings.Urls.Split(';', ',')[0].TrimEnd('/');
        var text = new StringBuilder();
        text.AppendLine(settings.SimulatedEmbeddings
            ? "Demo data created: models tg-mini, tg-pro, tg-flagship (gated), tg-embed on the built-in simulator."
            : "Demo data created: chat models tg-mini, tg-pro, tg-flagship (gated) on the built-in simulator; tg-embed on the built-in MiniLM embeddings model.");
        text.AppendLine($"Demo customer {customerId} has ${DemoSeeder.DemoCredit} of credit. Its API key (shown once, kept in this file):");
        text.AppendLine($"    {apiKey}");
        text.AppendLine("Try it:");
        text.AppendLine($"    curl {baseUrl}/v1/chat/completions -H 'Authorization: Bearer {apiKey}' -H 'Content-Type: application/json' \\");
        text.AppendLine("""         -d '{"model":"tg-mini","messages":[{"role":"user","content":"Hello"}]}'""");
        text.AppendLine($"Demo enterprise customer {seed.EnterpriseCustomerId} (postpaid, contract: $500 a month minimum, 10% off, may call tg-flagship).");
        text.AppendLine("Its API key (shown once, kept in this file):");
        text.AppendLine($"    {seed.EnterpriseApiKey}");
        return text.ToString();
    }
}

internal sealed record BootstrapResult(
    StorageBackend Storage,
    SecretHasher Hasher,
    ICatalogStore Catalog,
    IModelStore Models,
    ICustomerStore Customers,
    IWalletStore Wallets,
    IAdminTokenStore AdminTokens,
    CatalogSnapshot Snapshot,
    Budgets.AccountTotals Totals,
    string? DemoApiKey)
{
    /// <summary>The cluster's shared counters; null on a node that keeps them in memory.</summary>
    public Storage.Redis.SharedState? Shared { get; init; }

    /// <summary>Customers whose stored figures could not be loaded, with why: held closed.</summary>
    public IReadOnlyDictionary<string, string> Held { get; init; } = Budgets.HeldAccounts.None;
}

/// <summary>A reason Tollgate refuses to start, said plainly to the operator.</summary>
internal sealed class StartupException(string message) : Exception(message);
