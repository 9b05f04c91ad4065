using Tollgate.Hosting;

namespace Tollgate.Tests.Hosting;

/// <summary>Secrets and keys are replaced whole or not at all: a crash mid-write never leaves an empty or half file.</summary>
public sealed class AtomicFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tollgate-atomic-").FullName;

    [Fact]
    public void Write_FailsMidWrite_TargetKeepsItsContentsAndNoTemporaryFileIsLeft()
    {
        var path = Path.Combine(_dir, "secret");
        AtomicFile.WriteText(path, "old secret\n");

        Assert.Throws<IOException>(() => AtomicFile.Write(path, stream =>
        {
            stream.Write("new se"u8);
            throw new IOException("No space left on device");
        }));

        Assert.Equal("old secret\n", File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFiles(_dir));
    }

    [Fact]
    public void Write_ExistingFile_ReplacedNotTruncatedInPlace()
    {
        var path = Path.Combine(_dir, "secret");
        DataDirectory.WriteOwnerOnly(path, "old secret\n");
        // A reader of the old file (as a crash would leave it) still sees it whole while the new one is written.
        using var before = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);

        DataDirectory.WriteOwnerOnly(path, "new secret\n");

        using (var old = new StreamReader(before)) Assert.Equal("old secret\n", old.ReadToEnd());
        Assert.Equal("new secret\n", File.ReadAllText(path));
        if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Equal([path], Directory.GetFiles(_dir));
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
