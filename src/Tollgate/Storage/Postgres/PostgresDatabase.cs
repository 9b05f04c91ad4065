using System.Data;
using System.Data.Common;
using Npgsql;
using Tollgate.Storage.Sql;

namespace Tollgate.Storage.Postgres;

/// <summary>Pooled connections to the shared PostgreSQL database, from its connection string.</summary>
internal sealed class PostgresDatabase : SqlDatabase, IAsyncDisposable
{
    private readonly NpgsqlDataSource _source;

    public PostgresDatabase(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        // The password never reaches a log line or an error message.
        Description = $"{builder.Host}:{builder.Port}/{builder.Database}";
        _source = NpgsqlDataSource.Create(builder);
        _unpooled = new NpgsqlConnectionStringBuilder(builder.ConnectionString) { Pooling = false }.ConnectionString;
    }

    private readonly string _unpooled;

    /// <summary>A connection of its own whose session ends when it is disposed (a pooled one would keep session locks alive).</summary>
    public async Task<NpgsqlConnection> OpenSessionAsync(CancellationToken cancellationToken = default)
    {
        var connection = new NpgsqlConnection(_unpooled);
        await connection.OpenAsync(cancellationToken);
        return connection;
    }

    /// <summary>Host, port and database, for messages; no credentials.</summary>
    public string Description { get; }

    public async Task<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken = default) => await _source.OpenConnectionAsync(cancellationToken);

    public ValueTask DisposeAsync() => _source.DisposeAsync();

    public override async Task<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken = default) => await OpenAsync(cancellationToken);

    /// <summary>Read committed: conflicting writes wait on row locks, and billing takes its own lock.</summary>
    public override DbTransaction BeginWrite(DbConnection connection) => ((NpgsqlConnection)connection).BeginTransaction();

    public override DbTransaction BeginSnapshot(DbConnection connection) => ((NpgsqlConnection)connection).BeginTransaction(IsolationLevel.RepeatableRead);

    public override Task LockBillingAsync(DbConnection connection, DbTransaction transaction, string customerId) =>
        PostgresBillingLock.TakeAsync((NpgsqlConnection)connection, (NpgsqlTransaction)transaction, customerId);

    /// <summary>PostgreSQL tables that need insertion order carry an identity column.</summary>
    public override string InsertionOrder => "seq";

    protected override Task BeforeEraseAsync(DbConnection connection, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// An update or delete leaves the old row version in the table until vacuum reclaims it, so the
    /// table is vacuumed now rather than whenever autovacuum comes by. Backups and archived WAL keep
    /// their copies for as long as the operator keeps them (docs/deploy.md).
    /// </summary>
    protected override async Task AfterEraseAsync(DbConnection connection, string table, CancellationToken cancellationToken) =>
        await SqlWrites.Command(connection, null, $"VACUUM {table}").ExecuteNonQueryAsync(cancellationToken);
}
