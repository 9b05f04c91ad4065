using System.Globalization;
using System.Text.Json;
using Npgsql;
using Tollgate.Distillation;
using static Tollgate.Storage.Postgres.PostgresWrites;

namespace Tollgate.Storage.Postgres;

internal sealed class PostgresFlagStore(PostgresDatabase database) : IFlagStore
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
            insert.Parameters.AddWithValue("@id", flag.Id);
            insert.Parameters.AddWithValue("@customer", flag.CustomerId);
            insert.Parameters.AddWithValue("@model", flag.ModelId);
            insert.Parameters.AddWithValue("@day", flag.Day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            insert.Parameters.AddWithValue("@score", flag.Score.ToString(CultureInfo.InvariantCulture));
            insert.Parameters.AddWithValue("@evidence", JsonSerializer.Serialize(flag.Evidence, DistillationJson.Default.DistillationSignals));
            insert.Parameters.AddWithValue("@status", StoredNames.Of(flag.Status));
            insert.Parameters.AddWithValue("@at", UnixTime.ToStored(flag.CreatedAt));
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
        await using var connection = await database.OpenAsync(cancellationToken);
        var select = Command(connection, null, $"""
            SELECT {Columns} FROM distillation_flags
            WHERE (@status::text IS NULL OR status = @status) AND (@customer::text IS NULL OR customer_id = @customer)
            ORDER BY created_at DESC, id LIMIT @limit
            """);
        select.Parameters.AddWithValue("@status", status is { } s ? StoredNames.Of(s) : DBNull.Value);
        select.Parameters.AddWithValue("@customer", (object?)customerId ?? DBNull.Value);
        select.Parameters.AddWithValue("@limit", limit);
        return await ReadAsync(select, cancellationToken);
    }

    public async Task<DistillationFlag?> GetAsync(string id, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var select = Command(connection, null, $"SELECT {Columns} FROM distillation_flags WHERE id = @id");
        select.Parameters.AddWithValue("@id", id);
        return (await ReadAsync(select, cancellationToken)).FirstOrDefault();
    }

    public Task ReviewAsync(DistillationFlag flag, GateRestriction? restriction, AuditEntry audit, CancellationToken cancellationToken = default) =>
        RunAsync(database, audit, async (connection, transaction) =>
        {
            var update = Command(connection, transaction, "UPDATE distillation_flags SET status = @status, note = @note, updated_at = @at WHERE id = @id");
            update.Parameters.AddWithValue("@status", StoredNames.Of(flag.Status));
            update.Parameters.AddWithValue("@note", (object?)flag.Note ?? DBNull.Value);
            update.Parameters.AddWithValue("@at", UnixTime.ToStored(flag.UpdatedAt));
            update.Parameters.AddWithValue("@id", flag.Id);
            await update.ExecuteNonQueryAsync(cancellationToken);
            if (restriction is null) return;
            var upsert = Command(connection, transaction, """
                INSERT INTO gate_restrictions (customer_id, model_id, kind, requests_per_minute, flag_id, created_at)
                VALUES (@customer, @model, @kind, @rpm, @flag, @at)
                ON CONFLICT (customer_id, model_id) DO UPDATE SET kind = excluded.kind, requests_per_minute = excluded.requests_per_minute,
                    flag_id = excluded.flag_id, created_at = excluded.created_at
                """);
            upsert.Parameters.AddWithValue("@customer", restriction.CustomerId);
            upsert.Parameters.AddWithValue("@model", restriction.ModelId);
            upsert.Parameters.AddWithValue("@kind", StoredNames.Of(restriction.Kind));
            upsert.Parameters.AddWithValue("@rpm", (object?)restriction.RequestsPerMinute ?? DBNull.Value);
            upsert.Parameters.AddWithValue("@flag", (object?)restriction.FlagId ?? DBNull.Value);
            upsert.Parameters.AddWithValue("@at", UnixTime.ToStored(restriction.CreatedAt));
            await upsert.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken);

    public async Task<bool> LiftAsync(string customerId, string modelId, AuditEntry audit, CancellationToken cancellationToken = default)
    {
        var lifted = false;
        await RunAsync(database, audit, async (connection, transaction) =>
        {
            var delete = Command(connection, transaction, "DELETE FROM gate_restrictions WHERE customer_id = @customer AND model_id = @model");
            delete.Parameters.AddWithValue("@customer", customerId);
            delete.Parameters.AddWithValue("@model", modelId);
            lifted = await delete.ExecuteNonQueryAsync(cancellationToken) == 1;
        }, cancellationToken);
        return lifted;
    }

    /// <summary>Every restriction in force, for the catalog snapshot.</summary>
    public static async Task<List<GateRestriction>> ReadRestrictionsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
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

    private static async Task<List<DistillationFlag>> ReadAsync(NpgsqlCommand select, CancellationToken cancellationToken)
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
