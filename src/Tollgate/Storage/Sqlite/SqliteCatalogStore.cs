using System.Text.Json;
using Microsoft.Data.Sqlite;
using Tollgate.Billing;
using Tollgate.Billing.Catalog;
using Tollgate.Billing.Pricing;
using Tollgate.Catalog;
using Tollgate.Hosting;

namespace Tollgate.Storage.Sqlite;

/// <summary>The catalog on the embedded database. Control-plane only: never on a request's path.</summary>
internal sealed class SqliteCatalogStore(SqliteDatabase database, TimeProvider time) : ICatalogStore
{
    public async Task<CatalogSnapshot> LoadSnapshotAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        using var transaction = connection.BeginTransaction(deferred: true);
        var customers = await ReadCustomersAsync(connection, transaction, cancellationToken);
        var keys = new List<KeyEntry>();
        await using (var reader = await Command(connection, transaction,
            "SELECT id, customer_id, name, secret_hash, models, expires_at, revoked_at, created_at FROM api_keys").ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                keys.Add(new KeyEntry(
                    reader.GetString(0), reader.GetString(1), reader.GetString(2), (byte[])reader[3],
                    reader.IsDBNull(4) ? null : JsonSerializer.Deserialize(reader.GetString(4), TollgateJson.Default.StringArray)!.ToHashSet(StringComparer.Ordinal),
                    reader.IsDBNull(5) ? null : UnixTime.FromStored(reader.GetInt64(5)),
                    reader.IsDBNull(6) ? null : UnixTime.FromStored(reader.GetInt64(6)),
                    UnixTime.FromStored(reader.GetInt64(7))));
            }
        }
        var priceCards = await ReadRatesAsync(connection, transaction, "price_cards", "model_id", cancellationToken);
        var costCards = await ReadRatesAsync(connection, transaction, "cost_cards", "backend_id", cancellationToken);
        var backends = new List<BackendEntry>();
        await using (var reader = await Command(connection, transaction,
            "SELECT id, model_id, priority, kind, settings FROM backends ORDER BY model_id, priority").ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                var id = reader.GetString(0);
                backends.Add(new BackendEntry(
                    id, reader.GetString(1), reader.GetInt32(2), StoredNames.Parse<BackendKind>(reader.GetString(3)),
                    JsonSerializer.Deserialize(reader.GetString(4), TollgateJson.Default.BackendSettings)!,
                    [.. costCards.GetValueOrDefault(id, []).Select(r => new CostCard(r.Version, id, r.EffectiveFrom, r.Rates))]));
            }
        }
        var models = new List<ModelEntry>();
        await using (var reader = await Command(connection, transaction,
            "SELECT id, kind, tier, tokenizer, max_output_tokens, owned_by, created_at FROM models WHERE retired_at IS NULL").ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                var id = reader.GetString(0);
                models.Add(new ModelEntry(
                    id, StoredNames.Parse<ModelKind>(reader.GetString(1)), StoredNames.Parse<ModelTier>(reader.GetString(2)),
                    reader.GetString(3), reader.GetInt32(4), reader.GetString(5), UnixTime.FromStored(reader.GetInt64(6)),
                    [.. priceCards.GetValueOrDefault(id, []).Select(r => new PriceCard(r.Version, id, r.EffectiveFrom, r.Rates))],
                    [.. backends.Where(b => b.ModelId == id && b.Priority >= 0)]));
            }
        }
        var version = await ReadSnapshotVersionAsync(connection, transaction, cancellationToken);
        transaction.Commit();
        return new CatalogSnapshot(customers, keys, models, version);
    }

    public async Task<bool> HasAnyModelAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await Command(connection, null, "SELECT EXISTS (SELECT 1 FROM models)").ExecuteScalarAsync(cancellationToken) is 1L;
    }

    public async Task CreateCustomerAsync(CustomerEntry customer, CancellationToken cancellationToken = default)
    {
        await WriteAsync(async (connection, transaction) =>
        {
            var insert = Command(connection, transaction,
                "INSERT INTO customers (id, name, billing_mode, created_at) VALUES ($id, $name, $mode, $created)");
            insert.Parameters.AddWithValue("$id", customer.Id);
            insert.Parameters.AddWithValue("$name", customer.Name);
            insert.Parameters.AddWithValue("$mode", StoredNames.Of(customer.BillingMode));
            insert.Parameters.AddWithValue("$created", UnixTime.ToStored(customer.CreatedAt));
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken);
    }

    public async Task<IReadOnlyList<CustomerEntry>> ListCustomersAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await ReadCustomersAsync(connection, null, cancellationToken);
    }

    public async Task CreateKeyAsync(KeyEntry key, CancellationToken cancellationToken = default)
    {
        await WriteAsync(async (connection, transaction) =>
        {
            var insert = Command(connection, transaction, """
                INSERT INTO api_keys (id, customer_id, name, secret_hash, models, expires_at, revoked_at, created_at)
                VALUES ($id, $customer, $name, $hash, $models, $expires, $revoked, $created)
                """);
            insert.Parameters.AddWithValue("$id", key.Id);
            insert.Parameters.AddWithValue("$customer", key.CustomerId);
            insert.Parameters.AddWithValue("$name", key.Name);
            insert.Parameters.AddWithValue("$hash", key.SecretHash);
            insert.Parameters.AddWithValue("$models", key.Models is null ? DBNull.Value
                : JsonSerializer.Serialize(key.Models.Order(StringComparer.Ordinal).ToArray(), TollgateJson.Default.StringArray));
            insert.Parameters.AddWithValue("$expires", UnixTime.ToStoredOrNull(key.ExpiresAt));
            insert.Parameters.AddWithValue("$revoked", UnixTime.ToStoredOrNull(key.RevokedAt));
            insert.Parameters.AddWithValue("$created", UnixTime.ToStored(key.CreatedAt));
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken);
    }

    public async Task SaveModelAsync(ModelDefinition model, CancellationToken cancellationToken = default)
    {
        await WriteAsync(async (connection, transaction) =>
        {
            var upsert = Command(connection, transaction, """
                INSERT INTO models (id, kind, tier, tokenizer, max_output_tokens, owned_by, created_at)
                VALUES ($id, $kind, $tier, $tokenizer, $max, $owned, $now)
                ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, tier = excluded.tier, tokenizer = excluded.tokenizer,
                    max_output_tokens = excluded.max_output_tokens, owned_by = excluded.owned_by, retired_at = NULL
                """);
            upsert.Parameters.AddWithValue("$id", model.Id);
            upsert.Parameters.AddWithValue("$kind", StoredNames.Of(model.Kind));
            upsert.Parameters.AddWithValue("$tier", StoredNames.Of(model.Tier));
            upsert.Parameters.AddWithValue("$tokenizer", model.Tokenizer);
            upsert.Parameters.AddWithValue("$max", model.MaxOutputTokens);
            upsert.Parameters.AddWithValue("$owned", model.OwnedBy);
            upsert.Parameters.AddWithValue("$now", UnixTime.ToStored(time.GetUtcNow()));
            await upsert.ExecuteNonQueryAsync(cancellationToken);
            for (var i = 0; i < model.Backends.Count; i++)
            {
                var backend = model.Backends[i];
                var save = Command(connection, transaction, """
                    INSERT INTO backends (id, model_id, priority, kind, settings) VALUES ($id, $model, $priority, $kind, $settings)
                    ON CONFLICT (id) DO UPDATE SET model_id = excluded.model_id, priority = excluded.priority,
                        kind = excluded.kind, settings = excluded.settings
                    """);
                save.Parameters.AddWithValue("$id", backend.Id);
                save.Parameters.AddWithValue("$model", model.Id);
                save.Parameters.AddWithValue("$priority", i);
                save.Parameters.AddWithValue("$kind", StoredNames.Of(backend.Kind));
                save.Parameters.AddWithValue("$settings", JsonSerializer.Serialize(backend.Settings, TollgateJson.Default.BackendSettings));
                await save.ExecuteNonQueryAsync(cancellationToken);
            }
            // Backends dropped from the definition stay stored (usage events name them) but leave the route.
            var keep = string.Join(",", model.Backends.Select((_, i) => $"$b{i}"));
            var detach = Command(connection, transaction,
                $"UPDATE backends SET priority = -1 WHERE model_id = $model{(keep.Length > 0 ? $" AND id NOT IN ({keep})" : "")}");
            detach.Parameters.AddWithValue("$model", model.Id);
            for (var i = 0; i < model.Backends.Count; i++) detach.Parameters.AddWithValue($"$b{i}", model.Backends[i].Id);
            await detach.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken);
    }

    public Task<long> AddPriceCardAsync(string modelId, DateTimeOffset effectiveFrom, TokenRates rates, CancellationToken cancellationToken = default) =>
        AddRatesAsync("price_cards", "model_id", modelId, effectiveFrom, rates, cancellationToken);

    public Task<long> AddCostCardAsync(string backendId, DateTimeOffset effectiveFrom, TokenRates rates, CancellationToken cancellationToken = default) =>
        AddRatesAsync("cost_cards", "backend_id", backendId, effectiveFrom, rates, cancellationToken);

    public async Task<string?> GetSettingAsync(string key, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var select = Command(connection, null, "SELECT value FROM settings WHERE key = $key");
        select.Parameters.AddWithValue("$key", key);
        return await select.ExecuteScalarAsync(cancellationToken) as string;
    }

    public async Task SetSettingAsync(string key, string value, CancellationToken cancellationToken = default)
    {
        await WriteAsync(async (connection, transaction) =>
        {
            var upsert = Command(connection, transaction,
                "INSERT INTO settings (key, value) VALUES ($key, $value) ON CONFLICT (key) DO UPDATE SET value = excluded.value");
            upsert.Parameters.AddWithValue("$key", key);
            upsert.Parameters.AddWithValue("$value", value);
            await upsert.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken, bumpVersion: false);
    }

    private async Task<long> AddRatesAsync(string table, string ownerColumn, string ownerId, DateTimeOffset effectiveFrom, TokenRates rates, CancellationToken cancellationToken)
    {
        long version = 0;
        await WriteAsync(async (connection, transaction) =>
        {
            var insert = Command(connection, transaction, $"""
                INSERT INTO {table} ({ownerColumn}, effective_from, input_per_million, cached_input_per_million, output_per_million, request_fee, created_at)
                VALUES ($owner, $from, $input, $cached, $output, $fee, $now) RETURNING version
                """);
            insert.Parameters.AddWithValue("$owner", ownerId);
            insert.Parameters.AddWithValue("$from", UnixTime.ToStored(effectiveFrom));
            insert.Parameters.AddWithValue("$input", Money.Format(rates.InputPerMillion));
            insert.Parameters.AddWithValue("$cached", Money.Format(rates.CachedInputPerMillion));
            insert.Parameters.AddWithValue("$output", Money.Format(rates.OutputPerMillion));
            insert.Parameters.AddWithValue("$fee", Money.Format(rates.RequestFee));
            insert.Parameters.AddWithValue("$now", UnixTime.ToStored(time.GetUtcNow()));
            version = (long)(await insert.ExecuteScalarAsync(cancellationToken))!;
        }, cancellationToken);
        return version;
    }

    private sealed record StoredRates(long Version, DateTimeOffset EffectiveFrom, TokenRates Rates);

    private static async Task<Dictionary<string, List<StoredRates>>> ReadRatesAsync(
        SqliteConnection connection, SqliteTransaction transaction, string table, string ownerColumn, CancellationToken cancellationToken)
    {
        var byOwner = new Dictionary<string, List<StoredRates>>(StringComparer.Ordinal);
        await using var reader = await Command(connection, transaction, $"""
            SELECT {ownerColumn}, version, effective_from, input_per_million, cached_input_per_million, output_per_million, request_fee
            FROM {table} ORDER BY effective_from, version
            """).ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var owner = reader.GetString(0);
            if (!byOwner.TryGetValue(owner, out var list)) byOwner[owner] = list = [];
            list.Add(new StoredRates(reader.GetInt64(1), UnixTime.FromStored(reader.GetInt64(2)),
                new TokenRates(Money.Parse(reader.GetString(3)), Money.Parse(reader.GetString(4)), Money.Parse(reader.GetString(5)), Money.Parse(reader.GetString(6)))));
        }
        return byOwner;
    }

    private static async Task<List<CustomerEntry>> ReadCustomersAsync(SqliteConnection connection, SqliteTransaction? transaction, CancellationToken cancellationToken)
    {
        var customers = new List<CustomerEntry>();
        await using var reader = await Command(connection, transaction, "SELECT id, name, billing_mode, created_at FROM customers ORDER BY created_at, id")
            .ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            customers.Add(new CustomerEntry(reader.GetString(0), reader.GetString(1), StoredNames.Parse<BillingMode>(reader.GetString(2)),
                UnixTime.FromStored(reader.GetInt64(3))));
        }
        return customers;
    }

    private static async Task<long> ReadSnapshotVersionAsync(SqliteConnection connection, SqliteTransaction transaction, CancellationToken cancellationToken) =>
        await Command(connection, transaction, "SELECT value FROM settings WHERE key = 'catalog_version'").ExecuteScalarAsync(cancellationToken) is string v
            ? long.Parse(v, System.Globalization.CultureInfo.InvariantCulture) : 0;

    /// <summary>One write transaction; catalog changes also bump the version other nodes watch.</summary>
    private async Task WriteAsync(Func<SqliteConnection, SqliteTransaction, Task> write, CancellationToken cancellationToken, bool bumpVersion = true)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        using var transaction = connection.BeginTransaction(deferred: false);
        await write(connection, transaction);
        if (bumpVersion)
        {
            await Command(connection, transaction, """
                INSERT INTO settings (key, value) VALUES ('catalog_version', '1')
                ON CONFLICT (key) DO UPDATE SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT)
                """).ExecuteNonQueryAsync(cancellationToken);
        }
        transaction.Commit();
    }

    private static SqliteCommand Command(SqliteConnection connection, SqliteTransaction? transaction, string sql)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command;
    }
}
