using Tollgate.Hosting;

namespace Tollgate.Tests.Cluster;

/// <summary>Redis holds counters shared by the nodes of one PostgreSQL database: on SQLite it is refused at start.</summary>
public sealed class RedisStartupTests
{
    [Fact]
    public async Task Bootstrap_RedisWithoutDatabase_RefusedWithAClearMessage()
    {
        var settings = new ServeSettings { DataDir = Path.Combine(Path.GetTempPath(), "tollgate-tests", Guid.NewGuid().ToString("N")), Redis = "127.0.0.1:6379" };

        var refused = await Assert.ThrowsAsync<StartupException>(() => Bootstrap.RunAsync(settings, TimeProvider.System, _ => { }));

        Assert.Contains("--database", refused.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(settings.DataDir));
    }
}
