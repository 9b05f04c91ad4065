namespace Tollgate.Hosting;

/// <summary>
/// Writes a file so that a crash at any moment leaves the old contents or the new, never an empty or
/// half-written file: the bytes go to a new temporary file beside the target, reach the disk
/// (fsync), and only then is the temporary file renamed over the target. The target is never
/// opened for writing, so it is never truncated in place; a failed write leaves no temporary file behind.
/// </summary>
internal static class AtomicFile
{
    public const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public static void Write(string path, Action<Stream> write, UnixFileMode mode = OwnerOnly)
    {
        var full = Path.GetFullPath(path);
        // Unique, so two writers never share one temporary file; a leading dot keeps it out of the way of globs such as *.xml.
        var temp = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
            if (!OperatingSystem.IsWindows()) options.UnixCreateMode = mode;
            using (var stream = new FileStream(temp, options))
            {
                write(stream);
                // Without this, a rename can reach the disk before the data does: after a power loss, an empty file.
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            try
            {
                File.Delete(temp);
            }
            catch (IOException)
            {
            }
            throw;
        }
    }

    public static void WriteText(string path, string contents, UnixFileMode mode = OwnerOnly) =>
        Write(path, stream => stream.Write(System.Text.Encoding.UTF8.GetBytes(contents)), mode);
}
