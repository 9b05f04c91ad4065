using Microsoft.Data.Sqlite;
using Tollgate.Hosting;
using Tollgate.Storage.Sql;

namespace Tollgate.Storage.Sqlite;

/// <summary>
/// The embedded database in the data directory: one node. A lock file held for the process's
/// life refuses a second node on the same file, whose in-memory counters would not see the first's.
/// </summary>
internal sealed class SqliteStorage(ServeSettings settings) : StorageBackend
{
    public const string LockFile = "tollgate.lock";

    private FileStream? _lock;
    private SqliteDatabase? _database;
    private string? _databaseId;

    public SqliteDatabase Database => _database ?? throw new InvalidOperationException("The database is not open yet.");

    public override string Description => settings.DatabasePath;

    public override bool Shared => false;

    public override async Task<CoreStores> OpenAsync(TimeProvider time, CancellationToken cancellationToken = default)
    {
        _lock = TakeLock(settings.DataDir);
        RefuseMissingDatabase();
        DataDirectory.SecureDatabaseFiles(settings.DatabasePath);
        var database = _database = new SqliteDatabase(settings.DatabasePath, settings.FullDurability);
        await using (var connection = await database.OpenAsync(cancellationToken))
        {
            var found = await SqliteMigrations.ApplyAsync(connection, cancellationToken);
            // Rollups arrived with schema 6: a database from before sums its existing usage once.
            if (found is > 0 and < SqliteMigrations.RollupsVersion) await SqliteUsageRollups.RebuildAsync(connection, cancellationToken);
            _databaseId = await EnsureDatabaseIdAsync(connection, cancellationToken);
        }
        return SqlStores.Core(database, time);
    }

    public override void AddServices(IServiceCollection services)
    {
        services.AddSingleton(Database);
        SqlStores.Add(services, Database);
        services.AddSingleton<ILeadership, SoleLeadership>();
        services.AddSingleton<SqliteUsageWriter>();
        services.AddSingleton<IUsageRecorder>(sp => sp.GetRequiredService<SqliteUsageWriter>());
        services.AddHostedService(sp => sp.GetRequiredService<SqliteUsageWriter>());
    }

    public override async Task<bool> PingAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            await using var connection = await Database.OpenAsync(cancellationToken);
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT 1";
            await command.ExecuteScalarAsync(cancellationToken);
            return true;
        }
        catch (Exception ex) when (ex is SqliteException or IOException)
        {
            return false;
        }
    }

    /// <summary>
    /// The file at the database's path must still be the database this node opened: deleted, it
    /// would take usage into a file no one will ever read again; replaced, into the wrong books.
    /// Read through its own unpooled, read-only connection, which never creates a missing file.
    /// </summary>
    public override async Task<string?> CheckIdentityAsync(CancellationToken cancellationToken = default)
    {
        if (_databaseId is null) return null;
        var path = settings.DatabasePath;
        if (!File.Exists(path)) return $"the database file {path} is gone (deleted or moved while serving)";
        try
        {
            var readOnly = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString();
            await using var connection = new SqliteConnection(readOnly);
            await connection.OpenAsync(cancellationToken);
            using var select = connection.CreateCommand();
            select.CommandText = "SELECT value FROM settings WHERE key = $key";
            select.Parameters.AddWithValue("$key", DatabaseIdSetting);
            var found = await select.ExecuteScalarAsync(cancellationToken) as string;
            return found == _databaseId ? null : $"the database file {path} was replaced by another database while serving";
        }
        catch (SqliteException ex)
        {
            return $"the database file {path} is no longer the database this node opened ({ex.Message})";
        }
    }

    public override ValueTask DisposeAsync()
    {
        _lock?.Dispose();
        _lock = null;
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// A data directory with a key pepper was used before: a missing database there was lost (or
    /// deleted), not never made, so a new empty one is created only when the operator says so.
    /// </summary>
    private void RefuseMissingDatabase()
    {
        var pepper = Path.Combine(settings.DataDir, DataDirectory.PepperFile);
        if (settings.NewDatabase || File.Exists(settings.DatabasePath) || !File.Exists(pepper)) return;
        throw EmptyBooksRefused(settings.DataDir, $"a key pepper ({DataDirectory.PepperFile})", $"no database ({Path.GetFileName(settings.DatabasePath)})",
            "see `tollgate backup`");
    }

    private static async Task<string> EnsureDatabaseIdAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        using var upsert = connection.CreateCommand();
        upsert.CommandText = "INSERT INTO settings (key, value) VALUES ($key, $value) ON CONFLICT (key) DO NOTHING; SELECT value FROM settings WHERE key = $key";
        upsert.Parameters.AddWithValue("$key", DatabaseIdSetting);
        upsert.Parameters.AddWithValue("$value", Guid.NewGuid().ToString("N"));
        return (string)(await upsert.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>An exclusive lock (flock on Unix) that the operating system drops when the process ends, however it ends.</summary>
    private static FileStream TakeLock(string dataDir)
    {
        var path = Path.Combine(dataDir, LockFile);
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.OpenOrCreate, Access = FileAccess.ReadWrite, Share = FileShare.None };
            if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            return new FileStream(path, options);
        }
        catch (IOException)
        {
            throw new StartupException(
                $"Another Tollgate process is already serving the database in {Path.GetFullPath(dataDir)}. " +
                "Two processes on one SQLite file would each keep their own budgets and limits, so the second is refused. " +
                "Stop the other process, give this one its own --data-dir, or run several nodes on PostgreSQL (--database) and Redis (--redis).");
        }
    }
}
