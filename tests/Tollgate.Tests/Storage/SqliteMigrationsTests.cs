using Microsoft.Data.Sqlite;
using Tollgate.Storage.Sqlite;
using Tollgate.Tests.Infrastructure;

namespace Tollgate.Tests.Storage;

public sealed class SqliteMigrationsTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "tollgate-tests", Guid.NewGuid().ToString("N"));

    public SqliteMigrationsTests() => Directory.CreateDirectory(_directory);

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task ApplyAsync_AppliedTwice_SecondIsNoOp()
    {
        await using var connection = await OpenAsync(Path.Combine(_directory, "fresh.db"));

        var foundFirst = await SqliteMigrations.ApplyAsync(connection);
        var schema = await SchemaAsync(connection);
        var foundSecond = await SqliteMigrations.ApplyAsync(connection);

        Assert.Equal(0, foundFirst);
        Assert.Equal(SqliteMigrations.LatestVersion, foundSecond);
        Assert.Equal(SqliteMigrations.LatestVersion, await SqliteMigrations.CurrentVersionAsync(connection));
        Assert.Equal(schema, await SchemaAsync(connection));
    }

    /// <summary>A restart applies migrations to a database full of data: nothing is changed or lost.</summary>
    [Fact]
    public async Task ApplyAsync_ServedDatabase_KeepsSchemaAndData()
    {
        await using var app = new TollgateFactory();
        using (var client = app.ApiClient())
        using (var response = await client.PostAsync("/v1/chat/completions", TollgateCalls.JsonBody("""{"model":"tg-mini","messages":[{"role":"user","content":"hi"}]}""")))
        {
            response.EnsureSuccessStatusCode();
        }
        await using var connection = await OpenAsync(app.DatabasePath);
        var schema = await SchemaAsync(connection);
        var rows = await RowCountsAsync(connection);

        var found = await SqliteMigrations.ApplyAsync(connection);

        Assert.Equal(SqliteMigrations.LatestVersion, found);
        Assert.Equal(schema, await SchemaAsync(connection));
        Assert.Equal(rows, await RowCountsAsync(connection));
        Assert.Equal(1, rows["usage_events"]);
    }

    [Fact]
    public async Task ApplyAsync_SchemaNewerThanThisBuild_RefusesAndChangesNothing()
    {
        await using var connection = await OpenAsync(Path.Combine(_directory, "newer.db"));
        await SqliteMigrations.ApplyAsync(connection);
        await ExecuteAsync(connection, $"PRAGMA user_version = {SqliteMigrations.LatestVersion + 1};");

        await Assert.ThrowsAsync<InvalidOperationException>(() => SqliteMigrations.ApplyAsync(connection));

        Assert.Equal(SqliteMigrations.LatestVersion + 1, await SqliteMigrations.CurrentVersionAsync(connection));
    }

    private static async Task<SqliteConnection> OpenAsync(string path)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        await connection.OpenAsync();
        return connection;
    }

    private static async Task ExecuteAsync(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<List<string>> SchemaAsync(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT type || ' ' || name || ': ' || coalesce(sql, '') FROM sqlite_master ORDER BY type, name";
        var schema = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) schema.Add(reader.GetString(0));
        Assert.NotEmpty(schema);
        return schema;
    }

    private static async Task<Dictionary<string, long>> RowCountsAsync(SqliteConnection connection)
    {
        var counts = new Dictionary<string, long>();
        foreach (var table in (await SchemaAsync(connection)).Where(s => s.StartsWith("table ", StringComparison.Ordinal)).Select(s => s[6..s.IndexOf(':')]))
        {
            using var command = connection.CreateCommand();
            command.CommandText = $"SELECT count(*) FROM \"{table}\"";
            counts[table] = (long)(await command.ExecuteScalarAsync())!;
        }
        return counts;
    }
}
