using Microsoft.Data.Sqlite;
using Tollgate.Cli;

namespace Tollgate.Tests.Cli;

public sealed class BackupCommandTests : CliTestBase
{
    private readonly string _backups = Path.Combine(Path.GetTempPath(), "tollgate-tests", "backups-" + Guid.NewGuid().ToString("N"));

    public override Task InitializeAsync()
    {
        Directory.CreateDirectory(_backups);
        return base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Directory.Delete(_backups, recursive: true);
    }

    [Fact]
    public async Task Backup_WhileServing_WritesOneFileThatOpensAndHoldsTheCustomers()
    {
        await Cli.JsonAsync("customers", "create", "--name", "Backed Up Ltd");
        var target = Path.Combine(_backups, "tollgate.db");

        var result = await Cli.RunAsync("backup", "--data-dir", App.DataDir, "--to", target);

        Assert.True(result.ExitCode == ExitCodes.Ok, result.ToString());
        Assert.Matches(@"Backed up .+ \(\d+\.\d KiB\)", result.Output);
        Assert.Equal([Path.GetFileName(target)], Directory.GetFiles(_backups).Select(Path.GetFileName));
        Assert.Contains("Backed Up Ltd", Query(target, "SELECT name FROM customers"));
        Assert.Equal(["delete"], Query(target, "PRAGMA journal_mode"));
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(target));
    }

    [Fact]
    public async Task Backup_TargetExists_RefusesUnlessForced()
    {
        var target = Path.Combine(_backups, "existing.db");
        await File.WriteAllTextAsync(target, "precious");
        Cli.Variables["TOLLGATE_DATA_DIR"] = App.DataDir;
        _ = App.Server; // the database exists once the host has started

        var refused = await Cli.RunAsync("backup", "--to", target);
        var unchanged = await File.ReadAllTextAsync(target);
        var forced = await Cli.RunAsync("backup", "--to", target, "--force");

        Assert.Equal(ExitCodes.Refused, refused.ExitCode);
        Assert.Contains("already exists", refused.Error);
        Assert.Contains("--force", refused.Error);
        Assert.Equal("precious", unchanged);
        Assert.Equal(ExitCodes.Ok, forced.ExitCode);
        Assert.Contains("Demo Customer", Query(target, "SELECT name FROM customers"));
    }

    [Fact]
    public async Task Backup_NoDatabaseInDataDir_ExitsOneSayingWhereItLooked()
    {
        var result = await Cli.RunAsync("backup", "--data-dir", _backups, "--to", Path.Combine(_backups, "b.db"));

        Assert.Equal(ExitCodes.Refused, result.ExitCode);
        Assert.Contains($"No database at {Path.Combine(_backups, "tollgate.db")}", result.Error);
        Assert.Empty(Directory.GetFiles(_backups));
    }

    private static List<string> Query(string path, string sql)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var values = new List<string>();
        while (reader.Read()) values.Add(reader.GetString(0));
        return values;
    }
}
