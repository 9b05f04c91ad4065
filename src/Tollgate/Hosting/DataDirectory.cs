using System.Security.Cryptography;
using System.Text;

namespace Tollgate.Hosting;

/// <summary>Files Tollgate keeps beside its database, readable by its owner only.</summary>
internal static class DataDirectory
{
    public const string PepperFile = "key-pepper";
    public const string DemoCredentialsFile = "demo-credentials.txt";

    private const UnixFileMode OwnerOnly = AtomicFile.OwnerOnly;

    /// <summary>A generated pepper has 32 bytes; a stored one shorter than this is not one Tollgate wrote.</summary>
    private const int MinPepperBytes = 16;

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
        if (File.Exists(path)) return ReadPepper(path);
        var pepper = RandomNumberGenerator.GetBytes(32);
        WriteOwnerOnly(path, Convert.ToBase64String(pepper) + "\n");
        return pepper;
    }

    /// <summary>
    /// An empty or damaged pepper file is refused, never used: hashing with it would match no stored
    /// key, and a new pepper written over it would lose the original for good.
    /// </summary>
    private static byte[] ReadPepper(string path)
    {
        var text = File.ReadAllText(path).Trim();
        byte[] pepper;
        try
        {
            pepper = Convert.FromBase64String(text);
        }
        catch (FormatException)
        {
            pepper = [];
        }
        if (pepper.Length >= MinPepperBytes) return pepper;
        throw new StartupException(
            $"The key pepper file {path} is empty or damaged, so no stored API key or admin token could be checked. " +
            "Restore it from a backup of the data directory, or give the original pepper in TOLLGATE_KEY_PEPPER.");
    }

    /// <summary>Secrets are written atomically (<see cref="AtomicFile"/>): a crash never leaves an empty pepper or credentials file.</summary>
    public static void WriteOwnerOnly(string path, string contents) => AtomicFile.WriteText(path, contents, OwnerOnly);
}
