using System.Collections.Frozen;
using System.Globalization;
using Tollgate.Catalog;
using static Tollgate.Storage.Sql.SqlWrites;

namespace Tollgate.Storage.Sql;

/// <summary>The catalog snapshot and node settings in the database. Never on a request's path.</summary>
internal sealed class SqlCatalogStore(SqlDatabase database) : ICatalogStore
{
    public async Task<CatalogSnapshot> LoadSnapshotAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        // One read transaction, so the snapshot is consistent with the version it carries.
        using var transaction = database.BeginSnapshot(connection);
        var (customers, keys) = await SqlCustomerStore.ReadAllAsync(connection, transaction, cancellationToken);
        var models = await SqlModelStore.ReadAllAsync(connection, transaction, cancellationToken);
        var (plans, subscriptions) = await SqlSubscriptionStore.ReadAllAsync(connection, transaction, cancellationToken);
        var (contracts, rules, invitations) = await SqlContractStore.ReadAllAsync(connection, transaction, cancellationToken);
        var restrictions = await SqlFlagStore.ReadRestrictionsAsync(connection, transaction, cancellationToken);
        var version = await Command(connection, transaction, "SELECT value FROM settings WHERE key = 'catalog_version'").ExecuteScalarAsync(cancellationToken);
        transaction.Commit();
        return new CatalogSnapshot(customers, keys, models, ParseVersion(version))
        {
            Plans = plans.ToFrozenDictionary(p => p.Id, StringComparer.Ordinal),
            Subscriptions = subscriptions.ToFrozenDictionary(s => s.CustomerId, StringComparer.Ordinal),
            Contracts = contracts.GroupBy(c => c.CustomerId, StringComparer.Ordinal).ToFrozenDictionary(g => g.Key, g => g.ToArray(), StringComparer.Ordinal),
            GateRules = rules.ToFrozenDictionary(r => r.ModelId, StringComparer.Ordinal),
            GateRestrictions = restrictions.ToFrozenDictionary(r => CatalogSnapshot.RestrictionKey(r.CustomerId, r.ModelId), StringComparer.Ordinal),
            Invitations = invitations.GroupBy(i => i.CustomerId, StringComparer.Ordinal).ToFrozenDictionary(g => g.Key, g => g.ToArray(), StringComparer.Ordinal),
        };
    }

    public async Task<long> GetVersionAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        return ParseVersion(await Command(connection, null, "SELECT value FROM settings WHERE key = 'catalog_version'").ExecuteScalarAsync(cancellationToken));
    }

    public async Task<bool> HasAnyModelAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        return await Command(connection, null, "SELECT EXISTS (SELECT 1 FROM models)").ExistsAsync(cancellationToken);
    }

    public async Task<string?> GetSettingAsync(string key, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var select = Command(connection, null, "SELECT value FROM settings WHERE key = @key");
        select.Bind("@key", key);
        return await select.ExecuteScalarAsync(cancellationToken) as string;
    }

    public Task SetSettingAsync(string key, string value, CancellationToken cancellationToken = default) =>
        RunAsync(database, audit: null, (connection, transaction) =>
        {
            var upsert = Command(connection, transaction,
                "INSERT INTO settings (key, value) VALUES (@key, @value) ON CONFLICT (key) DO UPDATE SET value = excluded.value");
            upsert.Bind("@key", key);
            upsert.Bind("@value", value);
            return upsert.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken);

    private static long ParseVersion(object? stored) => stored is string text ? long.Parse(text, CultureInfo.InvariantCulture) : 0;
}
