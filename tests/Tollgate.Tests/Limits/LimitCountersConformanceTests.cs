using Tollgate.Limits;
using Tollgate.Tests.Infrastructure;

namespace Tollgate.Tests.Limits;

/// <summary>
/// What every <see cref="ILimitCounters"/> must do, run against each: in memory (a single node) and
/// in Redis (a cluster). All or none, in-flight places held until left, tokens trued up, readings for
/// the headers on admission and on refusal, and exact under concurrency. Per-minute refill is not
/// timed here (Redis refills on its own clock); the gateway's rate-limit tests cover it on a fake clock.
/// </summary>
public abstract class LimitCountersConformanceTests : IAsyncLifetime
{
    private readonly string _customer = "cus_" + Guid.NewGuid().ToString("N");
    private ILimitCounters _counters = null!;

    internal abstract Task<ILimitCounters> CreateAsync();

    public async Task InitializeAsync() => _counters = await CreateAsync();

    public virtual Task DisposeAsync() => Task.CompletedTask;

    [ServiceFact]
    public async Task AdmitAsync_OneLimitShort_TakesNothingFromTheOthers()
    {
        CountedLimit[] limits = [new("key k1", 'c', 1), new("key k1", 'r', 5), new("key k1", 't', 100)];

        var refused = await _counters.AdmitAsync(_customer, limits, "h1", 150);
        var admitted = await _counters.AdmitAsync(_customer, limits, "h2", 50);

        Assert.Equal(2, refused.Refused);
        Assert.Equal(-1, admitted.Refused);
        // The refused request took neither its place in flight nor a request from the minute.
        Assert.Equal(4, admitted.Requests!.Remaining);
        Assert.InRange(admitted.Tokens!.Remaining, 50, 51);
    }

    [ServiceFact]
    public async Task AdmitAsync_NoPlaceInFlight_RefusedUntilOneIsLeft()
    {
        CountedLimit[] limits = [new("customer c1", 'c', 1)];

        var first = await _counters.AdmitAsync(_customer, limits, "h1", 10);
        var second = await _counters.AdmitAsync(_customer, limits, "h2", 10);
        _counters.Adjust(_customer, limits, "h1", 0, leave: true);
        var third = await EventuallyAdmittedAsync(limits, "h3");

        Assert.Equal(-1, first.Refused);
        Assert.Equal((0, TimeSpan.FromSeconds(1)), (second.Refused, second.RetryAfter));
        Assert.Equal(-1, third.Refused);
    }

    [ServiceFact]
    public async Task AdmitAsync_RequestsPerMinuteReached_RefusedWithItsReadings()
    {
        CountedLimit[] limits = [new("key k1", 'r', 3), new("customer c1", 'r', 100)];

        for (var i = 0; i < 3; i++) Assert.Equal(-1, (await _counters.AdmitAsync(_customer, limits, $"h{i}", 1)).Refused);
        var refused = await _counters.AdmitAsync(_customer, limits, "h3", 1);

        Assert.Equal(0, refused.Refused);
        Assert.InRange(refused.RetryAfter, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(20));
        // The headers describe the tightest limit, the key's: none left.
        Assert.Equal(("requests", 3L, 0L), (refused.Requests!.Name, refused.Requests.Limit, refused.Requests.Remaining));
    }

    [ServiceFact]
    public async Task Adjust_EstimateAboveTheMeteredUse_GivesTheRestBack()
    {
        CountedLimit[] limits = [new("key k1", 't', 1000)];

        var admitted = await _counters.AdmitAsync(_customer, limits, "h1", 800);
        _counters.Adjust(_customer, limits, "h1", 700, leave: true);
        var after = await EventuallyAsync(async () => (await _counters.ReadAsync(_customer, limits)).Single(), r => r.Remaining >= 900);

        Assert.InRange(admitted.Tokens!.Remaining, 200, 201);
        Assert.InRange(after.Remaining, 900, 1000);
    }

    [ServiceFact]
    public async Task Adjust_UseAboveTheEstimate_RunsTheBucketIntoDebt()
    {
        CountedLimit[] limits = [new("key k1", 't', 1000)];

        await _counters.AdmitAsync(_customer, limits, "h1", 100);
        _counters.Adjust(_customer, limits, "h1", -1500, leave: true);
        var refused = await EventuallyAsync(() => _counters.AdmitAsync(_customer, limits, "h2", 1).AsTask(), a => a.Refused == 0);

        Assert.Equal(0, refused.Refused);
        Assert.Equal(0, refused.Tokens!.Remaining);
    }

    [ServiceFact]
    public async Task ReadAsync_NothingTakenYet_Full()
    {
        var read = await _counters.ReadAsync(_customer, [new("key k9", 'r', 60), new("key k9", 't', 5000)]);

        Assert.Equal([("requests", 60L), ("tokens", 5000L)], read.Select(r => (r.Name, r.Remaining)));
    }

    [ServiceFact]
    public async Task AdmitAsync_ManyConcurrent_AdmitsExactlyThePlacesInFlight()
    {
        CountedLimit[] limits = [new("customer c1", 'c', 50), new("customer c1", 't', 1_000_000)];

        var admissions = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => Task.Run(() => _counters.AdmitAsync(_customer, limits, $"h{i}", 10).AsTask())));

        Assert.Equal(50, admissions.Count(a => a.Refused < 0));
        Assert.All(admissions.Where(a => a.Refused >= 0), a => Assert.Equal(0, a.Refused));
    }

    private async Task<LimitAdmission> EventuallyAdmittedAsync(CountedLimit[] limits, string holdId) =>
        await EventuallyAsync(() => _counters.AdmitAsync(_customer, limits, holdId, 10).AsTask(), a => a.Refused < 0);

    /// <summary>Adjustments never wait, so in Redis they land a moment later: ask until the condition holds (or 5 s pass).</summary>
    private static async Task<T> EventuallyAsync<T>(Func<Task<T>> read, Func<T, bool> done)
    {
        var until = TimeProvider.System.GetUtcNow().AddSeconds(5);
        while (true)
        {
            var value = await read();
            if (done(value) || TimeProvider.System.GetUtcNow() > until) return value;
            await Task.Delay(20);
        }
    }
}

/// <summary>The conformance suite on the in-memory counters of a single node.</summary>
public sealed class MemoryLimitsTests : LimitCountersConformanceTests
{
    internal override Task<ILimitCounters> CreateAsync() => Task.FromResult<ILimitCounters>(new MemoryLimits(TimeProvider.System));
}
