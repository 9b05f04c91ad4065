using StackExchange.Redis;

namespace Tollgate.Tests.Infrastructure;

/// <summary>
/// A unique key prefix on the Redis named by <c>TOLLGATE_TEST_REDIS</c>, so tests share one server
/// without seeing each other's keys; its keys are deleted at dispose.
/// </summary>
internal sealed class TestRedis : IAsyncDisposable
{
    public const string Variable = "TOLLGATE_TEST_REDIS";

    private TestRedis(string configuration) => Configuration = configuration;

    public string Configuration { get; }

    public string Prefix { get; } = "tollgate-test:" + Guid.NewGuid().ToString("N") + ":";

    public static TestRedis Create() => new(RequiresServiceAttribute.Require(Variable));

    public async ValueTask DisposeAsync()
    {
        await using var connection = await ConnectionMultiplexer.ConnectAsync(Configuration);
        foreach (var endpoint in connection.GetEndPoints())
        {
            var server = connection.GetServer(endpoint);
            await foreach (var key in server.KeysAsync(pattern: Prefix + "*")) await connection.GetDatabase().KeyDeleteAsync(key);
        }
    }
}
