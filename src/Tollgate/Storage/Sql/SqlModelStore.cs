using System.Text.Json;
using System.Data.Common;
using Tollgate.Billing;
using Tollgate.Billing.Catalog;
using Tollgate.Billing.Pricing;
using Tollgate.Catalog;
using Tollgate.Hosting;
using static Tollgate.Storage.Sql.SqlWrites;

namespace Tollgate.Storage.Sql;

internal sealed class SqlModelStore(SqlDatabase database, TimeProvider time) : IModelStore
{
    public Task SaveAsync(ModelDefinition model, AuditEntry audit, CancellationToken cancellationToken = default) =>
        RunAsync(database, audit, async (connection, transaction) =>
        {
            var upsert = Command(connection, transaction, """
                INSERT INTO models (id, kind, tier, tokenizer, max_output_tokens, owned_by, created_at, routing)
                VALUES (@id, @kind, @tier, @tokenizer, @max, @owned, @now, @routing)
                ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, tier = excluded.tier, tokenizer = excluded.tokenizer,
                    max_output_tokens = excluded.max_output_tokens, owned_by = excluded.owned_by, retired_at = NULL, routing = excluded.routing
                """);
            upsert.Bind("@routing", StoredNames.Of(model.Routing));
            upsert.Bind("@id", model.Id);
            upsert.Bind("@kind", StoredNames.Of(model.Kind));
            upsert.Bind("@tier", StoredNames.Of(model.Tier));
            upsert.Bind("@tokenizer", model.Tokenizer);
            upsert.Bind("@max", model.MaxOutputTokens);
            upsert.Bind("@owned", model.OwnedBy);
            upsert.Bind("@now", UnixTime.ToStored(time.GetUtcNow()));
            await upsert.ExecuteNonQueryAsync(cancellationToken);
            // Backends dropped from the definition stay stored (usage events name them) but leave the route.
            var detach = Command(connection, transaction, "UPDATE backends SET priority = -1 WHERE model_id = @model");
            detach.Bind("@model", model.Id);
            await detach.ExecuteNonQueryAsync(cancellationToken);
            for (var i = 0; i < model.Backends.Count; i++)
            {
                var backend = model.Backends[i];
                var save = Command(connection, transaction, """
                    INSERT INTO backends (id, model_id, priority, kind, settings) VALUES (@id, @model, @priority, @kind, @settings)
                    ON CONFLICT (id) DO UPDATE SET model_id = excluded.model_id, priority = excluded.priority,
                        kind = excluded.kind, settings = excluded.settings
                    """);
                save.Bind("@id", backend.Id);
                save.Bind("@model", model.Id);
                save.Bind("@priority", i);
                save.Bind("@kind", StoredNames.Of(backend.Kind));
                save.Bind("@settings", JsonSerializer.Serialize(backend.Settings, TollgateJson.Default.BackendSettings));
                await save.ExecuteNonQueryAsync(cancellationToken);
            }
        }, cancellationToken);

    public Task RetireAsync(string modelId, DateTimeOffset at, AuditEntry audit, CancellationToken cancellationToken = default) =>
        RunAsync(database, audit, (connection, transaction) =>
        {
            var retire = Command(connection, transaction, "UPDATE models SET retired_at = @at WHERE id = @id AND retired_at IS NULL");
            retire.Bind("@id", modelId);
            retire.Bind("@at", UnixTime.ToStored(at));
            return retire.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken);

    public Task<long> AddPriceCardAsync(string modelId, DateTimeOffset effectiveFrom, TokenRates rates, AuditEntry audit, CancellationToken cancellationToken = default) =>
        AddRatesAsync("price_cards", "model_id", modelId, effectiveFrom, rates, audit, cancellationToken);

    public Task<long> AddCostCardAsync(string backendId, DateTimeOffset effectiveFrom, TokenRates rates, AuditEntry audit, CancellationToken cancellationToken = default) =>
        AddRatesAsync("cost_cards", "backend_id", backendId, effectiveFrom, rates, audit, cancellationToken);

    public async Task<long> AddHardwareCostCardAsync(string backendId, DateTimeOffset effectiveFrom, HardwareCost hardware, AuditEntry audit,
        CancellationToken cancellationToken = default)
    {
        long version = 0;
        var rate = Money.Format(hardware.PerMillionTokens);
        await RunAsync(database, audit, async (connection, transaction) =>
        {
            // The derived rates are stored too, so a reader of the token columns sees what requests are costed at.
            var insert = Command(connection, transaction, """
                INSERT INTO cost_cards (backend_id, effective_from, input_per_million, cached_input_per_million, output_per_million, request_fee, created_at,
                    kind, hourly_cost, gpu_count, rated_tokens_per_hour, target_utilisation)
                VALUES (@owner, @from, @rate, @rate, @rate, '0', @now, @kind, @hourly, @gpus, @rated, @utilisation) RETURNING version
                """);
            insert.Bind("@owner", backendId);
            insert.Bind("@from", UnixTime.ToStored(effectiveFrom));
            insert.Bind("@rate", rate);
            insert.Bind("@now", UnixTime.ToStored(time.GetUtcNow()));
            insert.Bind("@kind", StoredNames.Of(CostCardKind.Hardware));
            insert.Bind("@hourly", Money.Format(hardware.HourlyCost));
            insert.Bind("@gpus", hardware.GpuCount);
            insert.Bind("@rated", hardware.RatedTokensPerHour);
            insert.Bind("@utilisation", Money.Format(hardware.TargetUtilisation));
            version = (long)(await insert.ExecuteScalarAsync(cancellationToken))!;
        }, cancellationToken);
        return version;
    }

    public async Task<bool> IsRetiredAsync(string modelId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var select = Command(connection, null, "SELECT retired_at IS NOT NULL FROM models WHERE id = @id");
        select.Bind("@id", modelId);
        return await select.ExistsAsync(cancellationToken);
    }

    /// <summary>Reads every model in the catalog (not retired) with its backends and cards, for the snapshot.</summary>
    internal static async Task<List<ModelEntry>> ReadAllAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
    {
        var priceCards = await ReadRatesAsync(connection, transaction, "price_cards", "model_id", cancellationToken);
        var costCards = await ReadCostCardsAsync(connection, transaction, cancellationToken);
        var backends = new List<BackendEntry>();
        await using (var reader = await Command(connection, transaction,
            "SELECT id, model_id, priority, kind, settings FROM backends WHERE priority >= 0 ORDER BY model_id, priority").ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                var id = reader.GetString(0);
                backends.Add(new BackendEntry(
                    id, reader.GetString(1), reader.GetInt32(2), StoredNames.Parse<BackendKind>(reader.GetString(3)),
                    JsonSerializer.Deserialize(reader.GetString(4), TollgateJson.Default.BackendSettings)!,
                    costCards.GetValueOrDefault(id) ?? []));
            }
        }
        var byModel = backends.ToLookup(b => b.ModelId, StringComparer.Ordinal);
        var models = new List<ModelEntry>();
        await using (var reader = await Command(connection, transaction,
            "SELECT id, kind, tier, tokenizer, max_output_tokens, owned_by, created_at, routing FROM models WHERE retired_at IS NULL").ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                var id = reader.GetString(0);
                models.Add(new ModelEntry(
                    id, StoredNames.Parse<ModelKind>(reader.GetString(1)), StoredNames.Parse<ModelTier>(reader.GetString(2)),
                    reader.GetString(3), reader.GetInt32(4), reader.GetString(5), UnixTime.FromStored(reader.GetInt64(6)),
                    [.. priceCards.GetValueOrDefault(id, []).Select(r => new PriceCard(r.Version, id, r.EffectiveFrom, r.Rates))],
                    [.. byModel[id]])
                { Routing = StoredNames.Parse<RoutingPolicy>(reader.GetString(7)) });
            }
        }
        return models;
    }

    private async Task<long> AddRatesAsync(string table, string ownerColumn, string ownerId, DateTimeOffset effectiveFrom, TokenRates rates, AuditEntry audit, CancellationToken cancellationToken)
    {
        long version = 0;
        await RunAsync(database, audit, async (connection, transaction) =>
        {
            var insert = Command(connection, transaction, $"""
                INSERT INTO {table} ({ownerColumn}, effective_from, input_per_million, cached_input_per_million, output_per_million, request_fee, created_at,
                    cache_write_per_million)
                VALUES (@owner, @from, @input, @cached, @output, @fee, @now, @cacheWrite) RETURNING version
                """);
            insert.Bind("@owner", ownerId);
            insert.Bind("@from", UnixTime.ToStored(effectiveFrom));
            insert.Bind("@input", Money.Format(rates.InputPerMillion));
            insert.Bind("@cached", Money.Format(rates.CachedInputPerMillion));
            insert.Bind("@output", Money.Format(rates.OutputPerMillion));
            insert.Bind("@fee", Money.Format(rates.RequestFee));
            // Unset stays unset (NULL): cache writes then follow the card's input price.
            insert.Bind("@cacheWrite", rates.CacheWritePerMillion is { } cacheWrite ? Money.Format(cacheWrite) : DBNull.Value);
            insert.Bind("@now", UnixTime.ToStored(time.GetUtcNow()));
            version = (long)(await insert.ExecuteScalarAsync(cancellationToken))!;
        }, cancellationToken);
        return version;
    }

    /// <summary>Cost cards by backend, oldest first; an own-hardware card's rates come from its hardware, not the stored copy.</summary>
    private static async Task<Dictionary<string, List<CostCard>>> ReadCostCardsAsync(DbConnection connection, DbTransaction transaction,
        CancellationToken cancellationToken)
    {
        var byBackend = new Dictionary<string, List<CostCard>>(StringComparer.Ordinal);
        await using var reader = await Command(connection, transaction, """
            SELECT backend_id, version, effective_from, input_per_million, cached_input_per_million, output_per_million, request_fee,
                kind, hourly_cost, gpu_count, rated_tokens_per_hour, target_utilisation, cache_write_per_million
            FROM cost_cards ORDER BY effective_from, version
            """).ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var backend = reader.GetString(0);
            if (!byBackend.TryGetValue(backend, out var list)) byBackend[backend] = list = [];
            var version = reader.GetInt64(1);
            var from = UnixTime.FromStored(reader.GetInt64(2));
            list.Add(StoredNames.Parse<CostCardKind>(reader.GetString(7)) == CostCardKind.Hardware
                ? CostCard.OwnHardware(version, backend, from,
                    new HardwareCost(Money.Parse(reader.GetString(8)), reader.GetInt32(9), reader.GetInt64(10), Money.Parse(reader.GetString(11))))
                : new CostCard(version, backend, from, ReadTokenRates(reader, 3, 12)));
        }
        return byBackend;
    }

    private sealed record StoredRates(long Version, DateTimeOffset EffectiveFrom, TokenRates Rates);

    private static async Task<Dictionary<string, List<StoredRates>>> ReadRatesAsync(
        DbConnection connection, DbTransaction transaction, string table, string ownerColumn, CancellationToken cancellationToken)
    {
        var byOwner = new Dictionary<string, List<StoredRates>>(StringComparer.Ordinal);
        await using var reader = await Command(connection, transaction, $"""
            SELECT {ownerColumn}, version, effective_from, input_per_million, cached_input_per_million, output_per_million, request_fee,
                cache_write_per_million
            FROM {table} ORDER BY effective_from, version
            """).ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var owner = reader.GetString(0);
            if (!byOwner.TryGetValue(owner, out var list)) byOwner[owner] = list = [];
            list.Add(new StoredRates(reader.GetInt64(1), UnixTime.FromStored(reader.GetInt64(2)), ReadTokenRates(reader, 3, 7)));
        }
        return byOwner;
    }

    /// <summary>Input, cached input, output and request fee from four columns from <paramref name="first"/> on, and the optional cache-write rate.</summary>
    private static TokenRates ReadTokenRates(DbDataReader reader, int first, int cacheWrite) => new(
        Money.Parse(reader.GetString(first)), Money.Parse(reader.GetString(first + 1)), Money.Parse(reader.GetString(first + 2)),
        Money.Parse(reader.GetString(first + 3)), reader.IsDBNull(cacheWrite) ? null : Money.Parse(reader.GetString(cacheWrite)));
}
