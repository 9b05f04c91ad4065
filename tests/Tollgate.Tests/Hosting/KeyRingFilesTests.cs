using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using Tollgate.Tests.Infrastructure;

namespace Tollgate.Tests.Hosting;

/// <summary>The console's data-protection keys: written atomically and owner-only; a damaged key file does not stop the rest.</summary>
public sealed class KeyRingFilesTests : TollgateTestBase
{
    [Fact]
    public void Protect_EmptyKeyFileLeftByACrash_SkippedAndANewKeyWrittenWhole()
    {
        var keys = Path.Combine(App.DataDir, "protection-keys");
        Directory.CreateDirectory(keys);
        File.WriteAllText(Path.Combine(keys, "key-crashed.xml"), "");

        var protector = App.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("test");
        var sealedText = protector.Protect("session");

        Assert.Equal("session", protector.Unprotect(sealedText));
        var written = Assert.Single(Directory.GetFiles(keys, "*.xml"), f => !f.EndsWith("key-crashed.xml", StringComparison.Ordinal));
        Assert.True(new FileInfo(written).Length > 0);
        if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(written));
        Assert.Empty(Directory.GetFiles(keys, "*.tmp"));
        Assert.Contains(App.Logs.Lines, line => line.StartsWith("Warning ", StringComparison.Ordinal) && line.Contains("key-crashed.xml", StringComparison.Ordinal));
    }
}
