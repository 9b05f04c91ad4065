using System.Collections.Concurrent;

namespace Tollgate.Limits;

/// <summary>
/// Rate limits counted in this node's memory (a single node): a token bucket per per-minute limit
/// and a gate per in-flight limit, keyed by scope. An admission takes from every limit in order and,
/// when one refuses, gives back what it took, so it takes from all or none.
/// </summary>
internal sealed class MemoryLimits(TimeProvider time) : ILimitCounters
{
    private readonly ConcurrentDictionary<string, TokenBucket> _buckets = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ConcurrencyGate> _gates = new(StringComparer.Ordinal);

    public bool Joinable => false;

    public ValueTask<LimitAdmission> AdmitAsync(string customerId, CountedLimit[] limits, string holdId, long tokenEstimate)
    {
        var now = time.GetTimestamp();
        for (var i = 0; i < limits.Length; i++)
        {
            var limit = limits[i];
            var wait = TimeSpan.FromSeconds(1);
            var taken = limit.Kind == 'c' ? Gate(limit).TryEnter() : Bucket(limit, now).TryTake(Need(limit, tokenEstimate), now, time, out wait);
            if (taken) continue;
            for (var j = 0; j < i; j++) GiveBack(limits[j], tokenEstimate, now);
            return ValueTask.FromResult(Admission(i, wait, limits, now));
        }
        return ValueTask.FromResult(Admission(-1, TimeSpan.Zero, limits, now));
    }

    public void Adjust(string customerId, CountedLimit[] limits, string holdId, long tokenDelta, bool leave)
    {
        var now = time.GetTimestamp();
        foreach (var limit in limits)
        {
            if (limit.Kind == 'c' && leave) Gate(limit).Exit();
            else if (limit.Kind == 't' && tokenDelta != 0) Bucket(limit, now).Adjust(tokenDelta, now, time);
        }
    }

    public ValueTask<IReadOnlyList<LimitReading>> ReadAsync(string customerId, CountedLimit[] limits)
    {
        var now = time.GetTimestamp();
        return ValueTask.FromResult<IReadOnlyList<LimitReading>>([.. limits.Where(l => l.Kind != 'c').Select(l => Reading(l, now))]);
    }

    private static long Need(CountedLimit limit, long tokenEstimate) => limit.Kind == 't' ? tokenEstimate : 1;

    private void GiveBack(CountedLimit limit, long tokenEstimate, long now)
    {
        if (limit.Kind == 'c') Gate(limit).Exit();
        else Bucket(limit, now).Adjust(Need(limit, tokenEstimate), now, time);
    }

    /// <summary>Refused (<paramref name="refused"/> ≥ 0) or admitted, with the readings of the first requests and tokens limits.</summary>
    private LimitAdmission Admission(int refused, TimeSpan wait, CountedLimit[] limits, long now)
    {
        LimitReading? requests = null, tokens = null;
        foreach (var limit in limits)
        {
            if (limit.Kind == 'r') requests ??= Reading(limit, now);
            else if (limit.Kind == 't') tokens ??= Reading(limit, now);
        }
        return new LimitAdmission(refused, wait, requests, tokens);
    }

    private LimitReading Reading(CountedLimit limit, long now)
    {
        var (remaining, resets) = Bucket(limit, now).Read(now, time);
        return new LimitReading(limit.Kind == 'r' ? "requests" : "tokens", limit.Limit, remaining, resets);
    }

    private TokenBucket Bucket(CountedLimit limit, long now)
    {
        var bucket = _buckets.GetOrAdd(limit.Kind + ":" + limit.Scope, _ => new TokenBucket(limit.Limit, now));
        if (bucket.Limit != limit.Limit) bucket.SetLimit(limit.Limit);
        return bucket;
    }

    private ConcurrencyGate Gate(CountedLimit limit)
    {
        var gate = _gates.GetOrAdd(limit.Scope, _ => new ConcurrencyGate(limit.Limit));
        gate.Limit = limit.Limit;
        return gate;
    }
}
