using Tollgate.Limits;
using Tollgate.Storage.Redis;
using Tollgate.Tests.Infrastructure;
using Tollgate.Tests.Limits;

namespace Tollgate.Tests.Cluster;

/// <summary>The rate-limit conformance suite on Redis (<c>TOLLGATE_TEST_REDIS</c>), under a prefix of its own.</summary>
[RequiresService(TestRedis.Variable)]
public sealed class RedisLimitsTests : LimitCountersConformanceTests
{
    private TestRedis? _redis;
    private SharedState? _state;

    internal override async Task<ILimitCounters> CreateAsync()
    {
        _redis = TestRedis.Create();
        _state = await SharedState.ConnectAsync(_redis.Configuration, _redis.Prefix);
        return new RedisLimits(_state, new SharedOptions());
    }

    public override async Task DisposeAsync()
    {
        if (_state is not null) await _state.DisposeAsync();
        if (_redis is not null) await _redis.DisposeAsync();
    }
}
