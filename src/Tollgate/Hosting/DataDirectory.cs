using System.Security.Cryptography;
using System.Text;

namespace Tollgate.Hosting;

/// <summary>Files Tollgate keeps beside its database, readable by its owner only.</summary>
internal static class DataDirectory
{
    public const string PepperFile = "key-pepper";
    public const string DemoCredentialsFile = "demo-credentials.txt";

    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public static void Ensure(string dataDir)
    {
        Directory.CreateDirectory(dataDir);
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(dataDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    /// <summary>
    /// Creates the database file owner-only before SQLite first opens it (SQLite gives its -wal and
    /// -shm files the database file's mode), and narrows files an older version left wider.
    /// </summary>
    public static void SecureDatabaseFiles(string databasePath)
    {
        if (OperatingSystem.IsWindows()) return;
        if (!File.Exists(databasePath))
        {
            using var created = new FileStream(databasePath, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                UnixCreateMode = OwnerOnly,
            });
        }
        foreach (var suffix in (string[])["", "-wal", "-shm", "-journal"])
        {
            var path = databasePath + suffix;
            if (File.Exists(path) && (File.GetUnixFileMode(path) & ~OwnerOnly) != 0) File.SetUnixFileMode(path, OwnerOnly);
        }
    }

    /// <summary>The given pepper, else the one stored in the data directory, else a new one written there.</summary>
    public static byte[] LoadOrCreatePepper(string dataDir, string? given)
    {
        if (!string.IsNullOrEmpty(given)) return Encoding.UTF8.GetBytes(given);
        var path = Path.Combine(dataDir, PepperFile);
        if (File.Exists(path)) return Convert.FromBase64String(File.ReadAllText(path).Trim());
        var pepper = RandomNumberGenerator.GetBytes(32);
        WriteOwnerOnly(path, Convert.ToBase64String(pepper) + "\n");
        return pepper;
    }

    public static void WriteOwnerOnly(string path, string contents)
    {
        var temp = path + ".tmp";
        if (OperatingSystem.IsWindows())
        {
            File.WriteAllText(temp, contents);
        }
        else
        {
            using var stream = new FileStream(temp, new FileStreamOptions
            {
                Mode = FileMode.Create,
                Access = FileAccess.Write,
                UnixCreateMode = OwnerOnly,
            });
            stream.Write(Encoding.UTF8.GetBytes(contents));
        }
        File.Move(temp, path, overwrite: true);
    }
}
