using Microsoft.Data.Sqlite;

namespace Tollgate.Storage.Sqlite;

/// <summary>Opens connections to the embedded database with the settings every connection needs.</summary>
internal sealed class SqliteDatabase
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
}
