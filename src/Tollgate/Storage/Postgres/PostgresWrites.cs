using Npgsql;

namespace Tollgate.Storage.Postgres;

/// <summary>
/// Every admin change is one transaction: the change, its audit entry, and the bump of the
/// catalog version that tells every node to rebuild its snapshot.
/// </summary>
internal static class PostgresWrites
{
    public static async Task RunAsync(PostgresDatabase database, AuditEntry? audit, Func<NpgsqlConnection, NpgsqlTransaction, Task> write, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        using var transaction = connection.BeginTransaction();
        await write(connection, transaction);
        if (audit is not null)
        {
            await InsertAuditAsync(connection, transaction, audit, cancellationToken);
            await Command(connection, transaction, """
                INSERT INTO settings (key, value) VALUES ('catalog_version', '1')
                ON CONFLICT (key) DO UPDATE SET value = (settings.value::bigint + 1)::text
                """).ExecuteNonQueryAsync(cancellationToken);
        }
        transaction.Commit();
    }

    /// <summary>
    /// Serializes a customer's billing documents with usage landing in a past month, across nodes:
    /// held until the transaction ends.
    /// </summary>
    public static async Task LockBillingAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string customerId)
    {
        await using var command = Command(connection, transaction, "SELECT pg_advisory_xact_lock(1953459308, hashtext(@customer))");
        command.Parameters.AddWithValue("@customer", customerId);
        await command.ExecuteNonQueryAsync();
    }

    public static NpgsqlCommand Command(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command;
    }

    /// <summary>Audits a change that does not alter the catalog (billing documents), without a snapshot rebuild.</summary>
    public static async Task InsertAuditAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, AuditEntry audit, CancellationToken cancellationToken)
    {
        var insert = Command(connection, transaction, """
            INSERT INTO audit_log (actor, action, target_type, target_id, before, after, at)
            VALUES (@actor, @action, @type, @target, @before, @after, @at)
            """);
        insert.Parameters.AddWithValue("@actor", audit.Actor);
        insert.Parameters.AddWithValue("@action", audit.Action);
        insert.Parameters.AddWithValue("@type", audit.TargetType);
        insert.Parameters.AddWithValue("@target", audit.TargetId);
        insert.Parameters.AddWithValue("@before", (object?)audit.Before ?? DBNull.Value);
        insert.Parameters.AddWithValue("@after", (object?)audit.After ?? DBNull.Value);
        insert.Parameters.AddWithValue("@at", UnixTime.ToStored(audit.At));
        await insert.ExecuteNonQueryAsync(cancellationToken);
    }
}
