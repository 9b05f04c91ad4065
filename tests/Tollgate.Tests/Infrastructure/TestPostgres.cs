using Npgsql;

namespace Tollgate.Tests.Infrastructure;

/// <summary>
/// A fresh schema in the PostgreSQL database named by <c>TOLLGATE_TEST_POSTGRES</c>, so tests run in
/// parallel on one server without seeing each other's rows; dropped at dispose.
/// </summary>
internal sealed class TestPostgres : IAsyncDisposable
{
    public const string Variable = "TOLLGATE_TEST_POSTGRES";

    private readonly string _admin;

    private TestPostgres(string admin, string schema)
    {
        _admin = admin;
        Schema = schema;
        ConnectionString = new NpgsqlConnectionStringBuilder(admin) { SearchPath = schema }.ConnectionString;
    }

    public string Schema { get; }

    /// <summary>Connects with this schema as the search path: Tollgate's tables are created there.</summary>
    public string ConnectionString { get; }

    public static async Task<TestPostgres> CreateAsync()
    {
        var admin = RequiresServiceAttribute.Require(Variable);
        var schema = "t_" + Guid.NewGuid().ToString("N");
        await ExecuteAsync(admin, $"CREATE SCHEMA {schema}");
        return new TestPostgres(admin, schema);
    }

    public Task ExecuteAsync(string sql) => ExecuteAsync(ConnectionString, sql);

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await ExecuteAsync(_admin, $"DROP SCHEMA IF EXISTS {Schema} CASCADE");
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
