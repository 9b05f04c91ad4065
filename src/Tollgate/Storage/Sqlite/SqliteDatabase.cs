using System.Data.Common;
using Microsoft.Data.Sqlite;
using Tollgate.Storage.Sql;

namespace Tollgate.Storage.Sqlite;

/// <summary>Opens connections to the embedded database with the settings every connection needs.</summary>
internal sealed class SqliteDatabase : SqlDatabase
{
    private readonly string _connectionString;
    private readonly string _pragmas;

    public SqliteDatabase(string path, bool fullDurability)
    {
        Path = path;
        FullDurability = fullDurability;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
        // synchronous=FULL survives power loss; NORMAL (the default) survives a killed process.
        _pragmas = $"PRAGMA busy_timeout = 30000; PRAGMA foreign_keys = ON; PRAGMA synchronous = {(fullDurability ? "FULL" : "NORMAL")};";
    }

    public string Path { get; }

    public bool FullDurability { get; }

    public async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken = default)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        using var pragmas = connection.CreateCommand();
        pragmas.CommandText = _pragmas;
        await pragmas.ExecuteNonQueryAsync(cancellationToken);
        return connection;
    }

    public override async Task<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken = default) => await OpenAsync(cancellationToken);

    /// <summary>Takes the write lock up front (BEGIN IMMEDIATE): a reader upgrading to a writer could otherwise fail with SQLITE_BUSY.</summary>
    public override DbTransaction BeginWrite(DbConnection connection) => ((SqliteConnection)connection).BeginTransaction(deferred: false);

    /// <summary>In WAL mode a deferred transaction reads one snapshot from its first read on.</summary>
    public override DbTransaction BeginSnapshot(DbConnection connection) => ((SqliteConnection)connection).BeginTransaction(deferred: true);

    /// <summary>One process writes this file and every write transaction is immediate, so billing is already serialized.</summary>
    public override Task LockBillingAsync(DbConnection connection, DbTransaction transaction, string customerId) => Task.CompletedTask;

    public override string InsertionOrder => "rowid";

    /// <summary><c>secure_delete</c> zeroes the old text in its pages instead of leaving it in free space.</summary>
    protected override async Task BeforeEraseAsync(DbConnection connection, CancellationToken cancellationToken) =>
        await SqlWrites.Command(connection, null, "PRAGMA secure_delete = ON").ExecuteNonQueryAsync(cancellationToken);

    /// <summary>
    /// A truncating checkpoint overwrites the database file's copy and empties the write-ahead log. A reader
    /// holding the log (a request's read, the writer's background checkpoint) makes it return busy: it is tried
    /// again for up to two seconds, so erased text has left the files when the erasure returns, not at some later pass.
    /// </summary>
    protected override async Task AfterEraseAsync(DbConnection connection, string table, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            await using (var checkpoint = SqlWrites.Command(connection, null, "PRAGMA wal_checkpoint(TRUNCATE)"))
            await using (var result = await checkpoint.ExecuteReaderAsync(cancellationToken))
            {
                // One row: busy (1 when a reader or writer kept it from finishing), frames in the log, frames checkpointed.
                if (!await result.ReadAsync(cancellationToken) || result.GetInt64(0) == 0) return;
            }
            if (attempt >= 40) return;
            await Task.Delay(TimeSpan.FromMilliseconds(50), cancellationToken);
        }
    }
}
