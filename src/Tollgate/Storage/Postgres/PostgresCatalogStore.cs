using System.Collections.Frozen;
using System.Globalization;
using Tollgate.Catalog;
using static Tollgate.Storage.Postgres.PostgresWrites;

namespace Tollgate.Storage.Postgres;

/// <summary>The catalog snapshot and node settings on the PostgreSQL database. Never on a request's path.</summary>
internal sealed class PostgresCatalogStore(PostgresDatabase database) : ICatalogStore
{
    public async Task<CatalogSnapshot> LoadSnapshotAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        // One read transaction, so the snapshot is consistent with the version it carries.
        using var transaction = connection.BeginTransaction(System.Data.IsolationLevel.RepeatableRead);
        var (customers, keys) = await PostgresCustomerStore.ReadAllAsync(connection, transaction, cancellationToken);
        var models = await PostgresModelStore.ReadAllAsync(connection, transaction, cancellationToken);
        var (plans, subscriptions) = await PostgresSubscriptionStore.ReadAllAsync(connection, transaction, cancellationToken);
        var (contracts, rules, invitations) = await PostgresContractStore.ReadAllAsync(connection, transaction, cancellationToken);
        var restrictions = await PostgresFlagStore.ReadRestrictionsAsync(connection, transaction, cancellationToken);
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
        await using var connection = await database.OpenAsync(cancellationToken);
        return ParseVersion(await Command(connection, null, "SELECT value FROM settings WHERE key = 'catalog_version'").ExecuteScalarAsync(cancellationToken));
    }

    public async Task<bool> HasAnyModelAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await Command(connection, null, "SELECT EXISTS (SELECT 1 FROM models)").ExecuteScalarAsync(cancellationToken) is true;
    }

    public async Task<string?> GetSettingAsync(string key, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var select = Command(connection, null, "SELECT value FROM settings WHERE key = @key");
        select.Parameters.AddWithValue("@key", key);
        return await select.ExecuteScalarAsync(cancellationToken) as string;
    }

    public Task SetSettingAsync(string key, string value, CancellationToken cancellationToken = default) =>
        RunAsync(database, audit: null, (connection, transaction) =>
        {
            var upsert = Command(connection, transaction,
                "INSERT INTO settings (key, value) VALUES (@key, @value) ON CONFLICT (key) DO UPDATE SET value = excluded.value");
            upsert.Parameters.AddWithValue("@key", key);
            upsert.Parameters.AddWithValue("@value", value);
            return upsert.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken);

    private static long ParseVersion(object? stored) => stored is string text ? long.Parse(text, CultureInfo.InvariantCulture) : 0;
}
