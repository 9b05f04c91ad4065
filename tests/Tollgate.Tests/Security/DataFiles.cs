using System.Text;

namespace Tollgate.Tests.Security;

/// <summary>Every file of a data directory (database, -wal, -shm, pepper, credentials), read while the app may hold them open.</summary>
internal static class DataFiles
{
    public static List<(string File, byte[] Bytes)> Read(string dataDir)
    {
        var files = new List<(string, byte[])>();
        foreach (var path in Directory.EnumerateFiles(dataDir, "*", SearchOption.AllDirectories))
        {
            // The empty lock file that keeps a second process off the database is held exclusively while the app runs.
            if (Path.GetFileName(path) == Tollgate.Storage.Sqlite.SqliteStorage.LockFile) continue;
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            files.Add((Path.GetRelativePath(dataDir, path), copy.ToArray()));
        }
        return files;
    }

    /// <summary>The text in UTF-8 or UTF-16, as SQLite may store either.</summary>
    public static bool Contains(byte[] haystack, string text) =>
        haystack.AsSpan().IndexOf(Encoding.UTF8.GetBytes(text)) >= 0 || haystack.AsSpan().IndexOf(Encoding.Unicode.GetBytes(text)) >= 0;
}
