using Microsoft.Data.Sqlite;
using Tollgate.Hosting;

namespace Tollgate.Tests.Hosting;

/// <summary>A data directory that shows it had a database, but has none, is not silently given a new empty one.</summary>
public sealed class BootstrapTests : IDisposable
{
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "tollgate-tests", Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task RunAsync_PepperButNoDatabase_RefusedUnlessNewDatabaseIsAsked()
    {
        var settings = new ServeSettings { DataDir = _dataDir, Demo = false, AdminToken = "test-admin-token-for-bootstrap" };
        await StartAndStopAsync(settings);
        Assert.True(File.Exists(Path.Combine(_dataDir, DataDirectory.PepperFile)));
        foreach (var suffix in (string[])["", "-wal", "-shm"]) File.Delete(settings.DatabasePath + suffix);

        var refused = await Assert.ThrowsAsync<StartupException>(() => StartAndStopAsync(settings));

        Assert.Contains("--new-database", refused.Message, StringComparison.Ordinal);
        Assert.Contains("no database", refused.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(settings.DatabasePath));
        await StartAndStopAsync(settings with { NewDatabase = true });
        Assert.True(File.Exists(settings.DatabasePath));
    }

    [Fact]
    public async Task RunAsync_EmptyPepperFile_RefusedWithClearMessage()
    {
        var settings = new ServeSettings { DataDir = _dataDir, Demo = false, AdminToken = "test-admin-token-for-bootstrap" };
        await StartAndStopAsync(settings);
        // What a crash between creating the file and its data reaching the disk used to leave.
        await File.WriteAllTextAsync(Path.Combine(_dataDir, DataDirectory.PepperFile), "");

        var refused = await Assert.ThrowsAsync<StartupException>(() => StartAndStopAsync(settings));

        Assert.Contains("empty or damaged", refused.Message, StringComparison.Ordinal);
        Assert.Equal(0, new FileInfo(Path.Combine(_dataDir, DataDirectory.PepperFile)).Length);
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

    private static async Task StartAndStopAsync(ServeSettings settings)
    {
        var boot = await Bootstrap.RunAsync(settings, TimeProvider.System, _ => { });
        await boot.Storage.DisposeAsync();
        SqliteConnection.ClearAllPools();
    }
}
