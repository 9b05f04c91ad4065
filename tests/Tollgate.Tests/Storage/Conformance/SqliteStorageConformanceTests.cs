namespace Tollgate.Tests.Storage.Conformance;

/// <summary>The conformance suite on the embedded SQLite file in a fresh data directory.</summary>
public sealed class SqliteStorageConformanceTests : StorageConformanceTests
{
    protected override Task<string?> CreateDatabaseAsync() => Task.FromResult<string?>(null);
}
