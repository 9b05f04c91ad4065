using System.CommandLine;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Tollgate.Hosting;

namespace Tollgate.Cli;

/// <summary>
/// <c>tollgate backup</c>: a consistent copy of the embedded database, safe while Tollgate serves.
/// SQLite's online backup copies one snapshot; in WAL mode it reads without stopping writers.
/// </summary>
internal static class BackupCommand
{
    public static Command Create(CliEnvironment environment)
    {
        var dataDir = new Option<string>("--data-dir") { Description = "The data directory 'tollgate serve' uses (TOLLGATE_DATA_DIR). Default ./data.", HelpName = "dir" };
        var to = new Option<string>("--to") { Description = "The backup file to write.", Required = true, HelpName = "file" };
        var force = new Option<bool>("--force") { Description = "Overwrite the backup file if it exists." };
        var backup = new Command("backup", "Copy the database consistently, even while Tollgate is serving. Local: no server or token needed.") { dataDir, to, force };
        backup.SetAction((ParseResult result, CancellationToken cancellationToken) => CliAction.RunAsync(environment.Error, () =>
        {
            var settings = new ServeSettings { DataDir = result.GetValue(dataDir) ?? environment.Variable("TOLLGATE_DATA_DIR") ?? "data" };
            Run(environment, settings, result.GetRequiredValue(to), result.GetValue(force));
            return Task.CompletedTask;
        }));
        return backup;
    }

    private static void Run(CliEnvironment environment, ServeSettings settings, string to, bool force)
    {
        var source = Path.GetFullPath(settings.DatabasePath);
        var target = Path.GetFullPath(to);
        if (!File.Exists(source))
            throw CliFailure.Invalid($"No database at {source}.", "Pass --data-dir (or set TOLLGATE_DATA_DIR) to the directory 'tollgate serve' uses.");
        if (string.Equals(source, target, StringComparison.Ordinal))
            throw CliFailure.Invalid("The backup file cannot be the database itself.");
        if (File.Exists(target) && !force)
            throw CliFailure.Invalid($"{target} already exists.", "Pass --force to overwrite it, or choose another file.");
        if (Path.GetDirectoryName(target) is { } directory && !Directory.Exists(directory))
            throw CliFailure.Invalid($"The directory {directory} does not exist.");

        // Written beside the target and renamed into place: a failed or interrupted backup never
        // leaves a half-written file under the name a restore would trust.
        var partial = $"{target}.{Guid.NewGuid():N}.partial";
        try
        {
            Copy(source, partial);
            File.Move(partial, target, overwrite: force);
        }
        catch (Exception ex) when (ex is SqliteException or IOException or UnauthorizedAccessException)
        {
            throw new CliFailure(ExitCodes.Failed, $"The backup failed: {ex.Message}");
        }
        finally
        {
            File.Delete(partial);
        }

        var output = new CliOutput(environment.Out, json: false);
        output.Success($"Backed up {source} to {target} ({Size(new FileInfo(target).Length)}).");
        if (File.Exists(Path.Combine(settings.DataDir, DataDirectory.PepperFile)))
            output.Note($"Keep a copy of {Path.GetFullPath(Path.Combine(settings.DataDir, DataDirectory.PepperFile))} too: API keys and admin tokens are hashed with it, and a restored database needs it (unless TOLLGATE_KEY_PEPPER is set).");
    }

    private static void Copy(string source, string partial)
    {
        CreateOwnerOnly(partial); // the copy holds what the database holds: hashes, customers, usage
        using var from = Open(source, SqliteOpenMode.ReadWrite);
        using var into = Open(partial, SqliteOpenMode.ReadWrite);
        from.BackupDatabase(into);
        // One self-contained file: a restore should not depend on a -wal beside it.
        Execute(into, "PRAGMA journal_mode = DELETE;");
        var check = Execute(into, "PRAGMA quick_check;");
        if (check != "ok") throw new CliFailure(ExitCodes.Failed, $"The copy failed its integrity check: {check}");
    }

    private static SqliteConnection Open(string path, SqliteOpenMode mode)
    {
        // No pooling: the files must be closed before the rename, and this process opens each once.
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = mode, Pooling = false, DefaultTimeout = 30 }.ToString());
        connection.Open();
        Execute(connection, "PRAGMA busy_timeout = 30000;");
        return connection;
    }

    private static string? Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToString(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    private static void CreateOwnerOnly(string path)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        new FileStream(path, options).Dispose();
    }

    private static string Size(long bytes) => bytes switch
    {
        < 1024 => $"{bytes} bytes",
        < 1024 * 1024 => $"{bytes / 1024.0:0.0} KiB",
        _ => $"{bytes / (1024.0 * 1024):0.0} MiB",
    };
}
