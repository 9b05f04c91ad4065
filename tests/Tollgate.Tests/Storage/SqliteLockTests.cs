using Tollgate.Hosting;
using Tollgate.Tests.Infrastructure;

namespace Tollgate.Tests.Storage;

/// <summary>Two processes on one SQLite file would each keep their own budgets: the second is refused.</summary>
public sealed class SqliteLockTests
{
    [Fact]
    public async Task Bootstrap_SecondNodeOnTheSameDataDirectory_RefusedWithAClearMessage_ThenAllowedOnceTheFirstStops()
    {
        await using var first = new TollgateFactory(demo: false) { KeepDataDir = true };
        _ = first.Boot;
        var settings = first.Settings with { AdminToken = "another" };

        var refused = await Assert.ThrowsAsync<StartupException>(() => Bootstrap.RunAsync(settings, TimeProvider.System, _ => { }));
        await first.Boot.Storage.DisposeAsync();
        var second = await Bootstrap.RunAsync(settings, TimeProvider.System, _ => { });
        await second.Storage.DisposeAsync();
        Directory.Delete(first.DataDir, recursive: true);

        Assert.Contains("Another Tollgate process is already serving the database", refused.Message, StringComparison.Ordinal);
        Assert.Contains("--database", refused.Message, StringComparison.Ordinal);
    }
}
