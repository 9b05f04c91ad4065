using Microsoft.Data.Sqlite;
using Tollgate.Hosting;
using Tollgate.Storage.Sqlite;

namespace Tollgate.Tests.Hosting;

/// <summary>Without a --durability choice, every commit reaches the disk before it counts (synchronous=FULL).</summary>
public sealed class DurabilityDefaultTests : IDisposable
{
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "tollgate-tests", Guid.NewGuid().ToString("N"));

    [Theory]
    [InlineData(null, 2L)]
    [InlineData(true, 2L)]
    [InlineData(false, 1L)]
    public async Task OpenAsync_Durability_SetsSynchronous(bool? full, long expected)
    {
        var settings = new ServeSettings { DataDir = _dataDir, Demo = false, AdminToken = "test-admin-token-for-durability" };
        if (full is { } chosen) settings = settings with { FullDurability = chosen };
        var boot = await Bootstrap.RunAsync(settings, TimeProvider.System, _ => { });
        try
        {
            await using var connection = await ((SqliteStorage)boot.Storage).Database.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA synchronous";
            Assert.Equal(expected, await command.ExecuteScalarAsync());
        }
        finally
        {
            await boot.Storage.DisposeAsync();
        }
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_dataDir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
