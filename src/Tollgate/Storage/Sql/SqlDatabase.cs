using System.Data.Common;

namespace Tollgate.Storage.Sql;

/// <summary>
/// A relational database the stores run on: the embedded SQLite file or a shared PostgreSQL.
/// The stores write one SQL for both; this says the few things the two do differently.
/// </summary>
internal abstract class SqlDatabase
{
    public abstract Task<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken = default);

    /// <summary>A transaction that will write.</summary>
    public abstract DbTransaction BeginWrite(DbConnection connection);

    /// <summary>A read-only transaction that sees one consistent snapshot while writers go on committing.</summary>
    public abstract DbTransaction BeginSnapshot(DbConnection connection);

    /// <summary>
    /// Serializes a customer's billing documents (invoice runs, finalization, voids) with usage
    /// filed into a past month by any node, until the transaction ends.
    /// </summary>
    public abstract Task LockBillingAsync(DbConnection connection, DbTransaction transaction, string customerId);

    /// <summary>The column that orders rows created in the same millisecond, in insertion order.</summary>
    public abstract string InsertionOrder { get; }

    /// <summary>
    /// Runs a statement that erases text a customer was promised would go (feedback comments, chat
    /// history), then makes sure the text also leaves the database files; returns the rows erased.
    /// </summary>
    public async Task<int> EraseAsync(string table, string sql, Action<DbCommand> bind, CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken);
        await BeforeEraseAsync(connection, cancellationToken);
        await using var erase = SqlWrites.Command(connection, null, sql);
        bind(erase);
        var erased = await erase.ExecuteNonQueryAsync(cancellationToken);
        if (erased > 0) await AfterEraseAsync(connection, table, cancellationToken);
        return erased;
    }

    protected abstract Task BeforeEraseAsync(DbConnection connection, CancellationToken cancellationToken);

    protected abstract Task AfterEraseAsync(DbConnection connection, string table, CancellationToken cancellationToken);
}
