using System.Globalization;
using System.Text.Json;
using System.Data.Common;
using Tollgate.Distillation;
using static Tollgate.Storage.Sql.SqlWrites;

namespace Tollgate.Storage.Sql;

internal sealed class SqlFlagStore(SqlDatabase database) : IFlagStore
{
    private const string Columns = "id, customer_id, model_id, day, score, evidence, status, note, created_at, updated_at";

    public async Task<bool> RaiseAsync(DistillationFlag flag, CancellationToken cancellationToken = default)
    {
        var inserted = false;
        await RunAsync(database, audit: null, async (connection, transaction) =>
        {
            var insert = Command(connection, transaction, $"""
                INSERT INTO distillation_flags ({Columns}) VALUES (@id, @customer, @model, @day, @score, @evidence, @status, NULL, @at, @at)
                ON CONFLICT (customer_id, model_id, day) DO NOTHING
                """);
            insert.Bind("@id", flag.Id);
            insert.Bind("@customer", flag.CustomerId);
            insert.Bind("@model", flag.ModelId);
            insert.Bind("@day", flag.Day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            insert.Bind("@score", flag.Score.ToString(CultureInfo.InvariantCulture));
            insert.Bind("@evidence", JsonSerializer.Serialize(flag.Evidence, DistillationJson.Default.DistillationSignals));
            insert.Bind("@status", StoredNames.Of(flag.Status));
            insert.Bind("@at", UnixTime.ToStored(flag.CreatedAt));
            inserted = await insert.ExecuteNonQueryAsync(cancellationToken) == 1;
            if (inserted)
            {
                await InsertAuditAsync(connection, transaction, new AuditEntry("system:distillation", "flag.raise", "flag", flag.Id, null,
                    JsonSerializer.Serialize(flag.Evidence, DistillationJson.Default.DistillationSignals), flag.CreatedAt), cancellationToken);
            }
        }, cancellationToken);
        return inserted;
    }

    public async Task<IReadOnlyList<DistillationFlag>> ListAsync(FlagStatus? status, string? customerId, int limit, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var select = Command(connection, null, $"""
            SELECT {Columns} FROM distillation_flags
            WHERE (CAST(@status AS TEXT) IS NULL OR status = @status) AND (CAST(@customer AS TEXT) IS NULL OR customer_id = @customer)
            ORDER BY created_at DESC, id LIMIT @limit
            """);
        select.Bind("@status", status is { } s ? StoredNames.Of(s) : DBNull.Value);
        select.Bind("@customer", (object?)customerId ?? DBNull.Value);
        select.Bind("@limit", limit);
        return await ReadAsync(select, cancellationToken);
    }

    public async Task<DistillationFlag?> GetAsync(string id, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var select = Command(connection, null, $"SELECT {Columns} FROM distillation_flags WHERE id = @id");
        select.Bind("@id", id);
        return (await ReadAsync(select, cancellationToken)).FirstOrDefault();
    }

    public Task ReviewAsync(DistillationFlag flag, GateRestriction? restriction, AuditEntry audit, CancellationToken cancellationToken = default) =>
        RunAsync(database, audit, async (connection, transaction) =>
        {
            var update = Command(connection, transaction, "UPDATE distillation_flags SET status = @status, note = @note, updated_at = @at WHERE id = @id");
            update.Bind("@status", StoredNames.Of(flag.Status));
            update.Bind("@note", (object?)flag.Note ?? DBNull.Value);
            update.Bind("@at", UnixTime.ToStored(flag.UpdatedAt));
            update.Bind("@id", flag.Id);
            await update.ExecuteNonQueryAsync(cancellationToken);
            if (restriction is null) return;
            var upsert = Command(connection, transaction, """
                INSERT INTO gate_restrictions (customer_id, model_id, kind, requests_per_minute, flag_id, created_at)
                VALUES (@customer, @model, @kind, @rpm, @flag, @at)
                ON CONFLICT (customer_id, model_id) DO UPDATE SET kind = excluded.kind, requests_per_minute = excluded.requests_per_minute,
                    flag_id = excluded.flag_id, created_at = excluded.created_at
                """);
            upsert.Bind("@customer", restriction.CustomerId);
            upsert.Bind("@model", restriction.ModelId);
            upsert.Bind("@kind", StoredNames.Of(restriction.Kind));
            upsert.Bind("@rpm", (object?)restriction.RequestsPerMinute ?? DBNull.Value);
            upsert.Bind("@flag", (object?)restriction.FlagId ?? DBNull.Value);
            upsert.Bind("@at", UnixTime.ToStored(restriction.CreatedAt));
            await upsert.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken);

    public async Task<bool> LiftAsync(string customerId, string modelId, AuditEntry audit, CancellationToken cancellationToken = default)
    {
        var lifted = false;
        // Audited only when a restriction was there to lift: a 404 leaves no trace of a lift that did not happen.
        await RunAsync(database, audit: null, async (connection, transaction) =>
        {
            var delete = Command(connection, transaction, "DELETE FROM gate_restrictions WHERE customer_id = @customer AND model_id = @model");
            delete.Bind("@customer", customerId);
            delete.Bind("@model", modelId);
            lifted = await delete.ExecuteNonQueryAsync(cancellationToken) == 1;
            if (lifted) await AuditCatalogChangeAsync(connection, transaction, audit, cancellationToken);
        }, cancellationToken);
        return lifted;
    }

    /// <summary>Every restriction in force, for the catalog snapshot.</summary>
    public static async Task<List<GateRestriction>> ReadRestrictionsAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
    {
        var restrictions = new List<GateRestriction>();
        await using var r = await Command(connection, transaction,
            "SELECT customer_id, model_id, kind, requests_per_minute, flag_id, created_at FROM gate_restrictions").ExecuteReaderAsync(cancellationToken);
        while (await r.ReadAsync(cancellationToken))
        {
            restrictions.Add(new GateRestriction(r.GetString(0), r.GetString(1), StoredNames.Parse<FlagStatus>(r.GetString(2)),
                r.IsDBNull(3) ? null : r.GetInt32(3), r.IsDBNull(4) ? null : r.GetString(4), UnixTime.FromStored(r.GetInt64(5))));
        }
        return restrictions;
    }

    private static async Task<List<DistillationFlag>> ReadAsync(DbCommand select, CancellationToken cancellationToken)
    {
        var flags = new List<DistillationFlag>();
        await using var r = await select.ExecuteReaderAsync(cancellationToken);
        while (await r.ReadAsync(cancellationToken))
        {
            flags.Add(new DistillationFlag(r.GetString(0), r.GetString(1), r.GetString(2),
                DateOnly.ParseExact(r.GetString(3), "yyyy-MM-dd", CultureInfo.InvariantCulture), double.Parse(r.GetString(4), CultureInfo.InvariantCulture),
                JsonSerializer.Deserialize(r.GetString(5), DistillationJson.Default.DistillationSignals)!, StoredNames.Parse<FlagStatus>(r.GetString(6)),
                r.IsDBNull(7) ? null : r.GetString(7), UnixTime.FromStored(r.GetInt64(8)), UnixTime.FromStored(r.GetInt64(9))));
        }
        return flags;
    }
}
