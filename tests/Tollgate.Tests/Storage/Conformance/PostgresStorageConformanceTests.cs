using Tollgate.Tests.Infrastructure;

namespace Tollgate.Tests.Storage.Conformance;

/// <summary>The conformance suite on PostgreSQL (<c>TOLLGATE_TEST_POSTGRES</c>), each test in a fresh schema.</summary>
[RequiresService(TestPostgres.Variable)]
public sealed class PostgresStorageConformanceTests : StorageConformanceTests
{
    private TestPostgres? _database;

    protected override async Task<string?> CreateDatabaseAsync()
    {
        _database = await TestPostgres.CreateAsync();
        return _database.ConnectionString;
    }

    protected override async Task DropDatabaseAsync()
    {
        if (_database is not null) await _database.DisposeAsync();
    }
}
