using System.Data.Common;

namespace Tollgate.Storage.Sql;

/// <summary>
/// Every admin change is one transaction: the change, its audit entry, and the bump of the
/// catalog version that tells every node to rebuild its snapshot.
/// </summary>
internal static class SqlWrites
{
    public static async Task RunAsync(SqlDatabase database, AuditEntry? audit, Func<DbConnection, DbTransaction, Task> write, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        using var transaction = database.BeginWrite(connection);
        await write(connection, transaction);
        if (audit is not null) await AuditCatalogChangeAsync(connection, transaction, audit, cancellationToken);
        transaction.Commit();
    }

    /// <summary>The audit entry of a catalog change and the version bump that rebuilds every node's snapshot; for writes that know only inside their transaction whether they changed anything.</summary>
    public static async Task AuditCatalogChangeAsync(DbConnection connection, DbTransaction transaction, AuditEntry audit, CancellationToken cancellationToken)
    {
        await InsertAuditAsync(connection, transaction, audit, cancellationToken);
        await Command(connection, transaction, """
            INSERT INTO settings (key, value) VALUES ('catalog_version', '1')
            ON CONFLICT (key) DO UPDATE SET value = CAST(CAST(settings.value AS BIGINT) + 1 AS TEXT)
            """).ExecuteNonQueryAsync(cancellationToken);
    }

    public static DbCommand Command(DbConnection connection, DbTransaction? transaction, string sql)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command;
    }

    /// <summary>Runs a <c>SELECT EXISTS (...)</c>: PostgreSQL answers with a boolean, SQLite with 1 or 0.</summary>
    public static async Task<bool> ExistsAsync(this DbCommand command, CancellationToken cancellationToken) =>
        await command.ExecuteScalarAsync(cancellationToken) is true or 1L;

    /// <summary>Adds a named parameter; null stands for SQL NULL.</summary>
    public static void Bind(this DbCommand command, string name, object? value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value ?? DBNull.Value;
        command.Parameters.Add(parameter);
    }

    /// <summary>Audits a change that does not alter the catalog (billing documents), without a snapshot rebuild.</summary>
    public static async Task InsertAuditAsync(DbConnection connection, DbTransaction transaction, AuditEntry audit, CancellationToken cancellationToken)
    {
        var insert = Command(connection, transaction, """
            INSERT INTO audit_log (actor, action, target_type, target_id, before, after, at)
            VALUES (@actor, @action, @type, @target, @before, @after, @at)
            """);
        insert.Bind("@actor", audit.Actor);
        insert.Bind("@action", audit.Action);
        insert.Bind("@type", audit.TargetType);
        insert.Bind("@target", audit.TargetId);
        insert.Bind("@before", (object?)audit.Before ?? DBNull.Value);
        insert.Bind("@after", (object?)audit.After ?? DBNull.Value);
        insert.Bind("@at", UnixTime.ToStored(audit.At));
        await insert.ExecuteNonQueryAsync(cancellationToken);
    }
}
