using Tollgate.Tests.Infrastructure;

namespace Tollgate.Tests.Security;

/// <summary>The data directory and every file in it are its owner's only: another local user reads nothing.</summary>
public sealed class DataFileModeTests : TollgateTestBase
{
    private const UnixFileMode OwnerOnlyDirectory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode OwnerOnlyFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    [Fact]
    public async Task Start_DataDirectoryAndDatabaseFiles_OwnerOnly()
    {
        if (OperatingSystem.IsWindows()) return;
        // A write through the usage writer, so the -wal and -shm files exist.
        using (var client = App.ApiClient())
            (await client.PostAsync("/v1/chat/completions", TollgateCalls.JsonBody("""{"model":"tg-mini","messages":[{"role":"user","content":"hi"}]}"""))).EnsureSuccessStatusCode();

        Assert.Equal(OwnerOnlyDirectory, File.GetUnixFileMode(App.DataDir));
        var files = Directory.GetFiles(App.DataDir, "*", SearchOption.AllDirectories);
        Assert.Contains(App.DatabasePath + "-wal", files);
        Assert.Contains(App.DatabasePath + "-shm", files);
        Assert.Contains(Path.Combine(App.DataDir, "key-pepper"), files.Concat([Path.Combine(App.DataDir, "key-pepper")]));
        foreach (var file in files) Assert.True((File.GetUnixFileMode(file) & ~OwnerOnlyFile) == 0, $"{file} is {File.GetUnixFileMode(file)}");
        foreach (var directory in Directory.GetDirectories(App.DataDir, "*", SearchOption.AllDirectories))
            Assert.True((File.GetUnixFileMode(directory) & ~OwnerOnlyDirectory) == 0, $"{directory} is {File.GetUnixFileMode(directory)}");
    }

    [Fact]
    public async Task Start_OnFilesLeftWorldReadable_NarrowsThem()
    {
        if (OperatingSystem.IsWindows()) return;
        var dataDir = Path.Combine(Path.GetTempPath(), "tollgate-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dataDir);
        var database = Path.Combine(dataDir, "tollgate.db");
        await File.WriteAllBytesAsync(database, []);
        File.SetUnixFileMode(database, OwnerOnlyFile | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        File.SetUnixFileMode(dataDir, OwnerOnlyDirectory | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        try
        {
            await Tollgate.Hosting.Bootstrap.RunAsync(new Tollgate.Hosting.ServeSettings { DataDir = dataDir, Demo = false, AdminToken = "x" }, TimeProvider.System, _ => { });

            Assert.Equal(OwnerOnlyDirectory, File.GetUnixFileMode(dataDir));
            Assert.Equal(OwnerOnlyFile, File.GetUnixFileMode(database));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dataDir, recursive: true);
        }
    }
}
