using System.Security.Cryptography;
using System.Text;

namespace Tollgate.Hosting;

/// <summary>Files Tollgate keeps beside its database, readable by its owner only.</summary>
internal static class DataDirectory
{
    public const string PepperFile = "key-pepper";
    public const string DemoCredentialsFile = "demo-credentials.txt";

    public static void Ensure(string dataDir)
    {
        Directory.CreateDirectory(dataDir);
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(dataDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
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
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            });
            stream.Write(Encoding.UTF8.GetBytes(contents));
        }
        File.Move(temp, path, overwrite: true);
    }
}
