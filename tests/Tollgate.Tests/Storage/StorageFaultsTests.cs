using System.Net.Sockets;
using Microsoft.Data.Sqlite;
using Npgsql;
using Tollgate.Storage;

namespace Tollgate.Tests.Storage;

/// <summary>
/// Which failures say the storage is broken: real SQLite errors from real files, and PostgreSQL's
/// SQLSTATE classes. Constraints, locks and busy databases are the statement's business, not a fault.
/// </summary>
public sealed class StorageFaultsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tollgate-faults-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task Describe_SqliteWriteOnAReadOnlyDatabase_IsAStorageFault()
    {
        var path = await CreateDatabaseAsync("CREATE TABLE t (id INTEGER PRIMARY KEY)");
        var error = await SqliteErrorAsync($"Data Source={path};Mode=ReadOnly;Pooling=False", "INSERT INTO t (id) VALUES (1)");
        Assert.Equal(8, error.SqliteErrorCode);
        Assert.Contains("read-only", StorageFaults.Describe(error), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Describe_SqliteFull_IsAStorageFault()
    {
        var path = await CreateDatabaseAsync("CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT); INSERT INTO t (id) VALUES (9223372036854775807)");
        var error = await SqliteErrorAsync($"Data Source={path};Pooling=False", "INSERT INTO t (id) VALUES (NULL)");
        Assert.Equal(13, error.SqliteErrorCode);
        Assert.Contains("disk is full", StorageFaults.Describe(error), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Describe_SqliteFileThatCannotBeOpened_IsAStorageFault()
    {
        var error = await SqliteErrorAsync($"Data Source={Path.Combine(_dir, "missing", "x.db")};Mode=ReadWrite;Pooling=False", "SELECT 1");
        Assert.Equal(14, error.SqliteErrorCode);
        Assert.True(StorageFaults.IsStorageFault(error));
    }

    [Fact]
    public async Task Describe_SqliteFileThatIsNotADatabase_IsAStorageFault()
    {
        var path = Path.Combine(_dir, "garbage.db");
        await File.WriteAllBytesAsync(path, [.. Enumerable.Range(0, 4096).Select(i => (byte)(i * 7))]);
        var error = await SqliteErrorAsync($"Data Source={path};Pooling=False", "SELECT * FROM sqlite_master");
        Assert.Equal(26, error.SqliteErrorCode);
        Assert.True(StorageFaults.IsStorageFault(error));
    }

    [Fact]
    public async Task Describe_SqliteConstraintOrTriggerAbort_IsNotAStorageFault()
    {
        var path = await CreateDatabaseAsync("""
            CREATE TABLE t (id INTEGER PRIMARY KEY); INSERT INTO t (id) VALUES (1);
            CREATE TABLE u (id INTEGER); CREATE TRIGGER u_full BEFORE INSERT ON u BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END;
            """);
        var duplicate = await SqliteErrorAsync($"Data Source={path};Pooling=False", "INSERT INTO t (id) VALUES (1)");
        var trigger = await SqliteErrorAsync($"Data Source={path};Pooling=False", "INSERT INTO u (id) VALUES (1)");
        Assert.Null(StorageFaults.Describe(duplicate));
        // The message names a full disk; the code says it is a trigger's refusal.
        Assert.Null(StorageFaults.Describe(trigger));
    }

    [Theory]
    [InlineData(5, 5)] // BUSY
    [InlineData(5, 517)] // BUSY_SNAPSHOT
    [InlineData(6, 6)] // LOCKED
    [InlineData(19, 1811)] // CONSTRAINT_TRIGGER
    [InlineData(1, 1)] // ERROR
    public void Describe_SqliteBusyLockedOrOrdinaryError_IsNotAStorageFault(int code, int extended) =>
        Assert.Null(StorageFaults.Describe(new SqliteException("test", code, extended)));

    [Theory]
    [InlineData(10, 778)] // IOERR_WRITE
    [InlineData(10, 4874)] // IOERR_SHMSIZE
    [InlineData(8, 1032)] // READONLY_DBMOVED
    [InlineData(11, 267)] // CORRUPT_VTAB
    public void Describe_SqliteExtendedCodesOfAFaultClass_AreStorageFaults(int code, int extended) =>
        Assert.NotNull(StorageFaults.Describe(new SqliteException("test", code, extended)));

    [Theory]
    [InlineData("53100", true)] // disk_full
    [InlineData("53200", true)] // out_of_memory
    [InlineData("58030", true)] // io_error
    [InlineData("08006", true)] // connection_failure
    [InlineData("XX001", true)] // data_corrupted
    [InlineData("23505", false)] // unique_violation
    [InlineData("40001", false)] // serialization_failure
    [InlineData("40P01", false)] // deadlock_detected
    [InlineData("55P03", false)] // lock_not_available
    [InlineData("57014", false)] // query_canceled
    [InlineData("22003", false)] // numeric_value_out_of_range
    public void IsStorageFault_PostgresSqlState_OnlyResourceSystemConnectionAndInternalClasses(string sqlState, bool fault)
    {
        var error = new PostgresException("test", "ERROR", "ERROR", sqlState);
        Assert.Equal(fault, StorageFaults.IsStorageFault(error));
        // However deep a caller wrapped it.
        Assert.Equal(fault, StorageFaults.IsStorageFault(new InvalidOperationException("wrapped", new AggregateException(error))));
    }

    [Fact]
    public async Task IsStorageFault_PostgresServerOutOfReach_IsAStorageFault()
    {
        await using var connection = new NpgsqlConnection("Host=127.0.0.1;Port=1;Username=x;Password=x;Database=x;Timeout=2;Pooling=false");
        var error = await Assert.ThrowsAnyAsync<NpgsqlException>(() => connection.OpenAsync());
        Assert.True(StorageFaults.IsStorageFault(error), error.ToString());
    }

    [Fact]
    public void IsStorageFault_PostgresPoolExhaustedOrOrdinaryErrors_IsNotAStorageFault()
    {
        Assert.False(StorageFaults.IsStorageFault(new NpgsqlException("The connection pool has been exhausted", new TimeoutException())));
        Assert.False(StorageFaults.IsStorageFault(new InvalidOperationException("no")));
        Assert.False(StorageFaults.IsStorageFault(new OperationCanceledException()));
        Assert.True(StorageFaults.IsStorageFault(new NpgsqlException("reset", new SocketException((int)SocketError.ConnectionReset))));
    }

    private async Task<string> CreateDatabaseAsync(string sql)
    {
        var path = Path.Combine(_dir, Guid.NewGuid().ToString("N") + ".db");
        await using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
        return path;
    }

    private static async Task<SqliteException> SqliteErrorAsync(string connectionString, string sql)
    {
        await using var connection = new SqliteConnection(connectionString);
        return await Assert.ThrowsAsync<SqliteException>(async () =>
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            await command.ExecuteNonQueryAsync();
        });
    }
}
