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
}
