using StackExchange.Redis;
using Tollgate.Limits;

namespace Tollgate.Storage.Redis;

/// <summary>Rate limits in Redis: one script call to admit a request against all its limits.</summary>
internal sealed class RedisLimits(SharedState state, SharedOptions options) : ISharedLimits
{
    public async Task<SharedAdmission> AdmitAsync(SharedLimit[] limits, string holdId, long tokenEstimate)
    {
        var values = new RedisValue[3 + limits.Length * 2];
        values[0] = holdId;
        values[1] = (long)options.Lease.TotalMilliseconds;
        values[2] = tokenEstimate;
        for (var i = 0; i < limits.Length; i++)
        {
            values[3 + 2 * i] = limits[i].Kind.ToString();
            values[4 + 2 * i] = limits[i].Limit;
        }
        var result = (RedisResult[])(await state.EvaluateAsync(LimitScripts.Admit, Keys(limits), values))!;
        var refused = (int)result[0];
        if (refused > 0) return new SharedAdmission(refused - 1, TimeSpan.FromMilliseconds((long)result[1]), null, null);
        return new SharedAdmission(-1, TimeSpan.Zero, Reading("requests", limits, 'r', result[1], result[2]), Reading("tokens", limits, 't', result[3], result[4]));
    }

    public void Adjust(SharedLimit[] limits, string holdId, long tokenDelta, bool leave)
    {
        // Only in-flight places are left and only token buckets trued up: a request-count bucket has nothing to give back.
        var chosen = limits.Where(l => (leave && l.Kind == 'c') || (tokenDelta != 0 && l.Kind == 't')).ToArray();
        if (chosen.Length == 0) return;
        var values = new RedisValue[2 + chosen.Length * 2];
        values[0] = holdId;
        values[1] = tokenDelta;
        for (var i = 0; i < chosen.Length; i++)
        {
            values[2 + 2 * i] = chosen[i].Kind.ToString();
            values[3 + 2 * i] = chosen[i].Limit;
        }
        _ = ObserveAsync(state.EvaluateAsync(LimitScripts.Adjust, Keys(chosen), values));
    }

    public async Task<IReadOnlyList<LimitReading>> ReadAsync(SharedLimit[] limits)
    {
        if (limits.Length == 0) return [];
        var result = (RedisResult[])(await state.EvaluateAsync(LimitScripts.Read, Keys(limits), [.. limits.Select(l => (RedisValue)l.Limit)]))!;
        return [.. limits.Select((l, i) => new LimitReading(l.Kind == 'r' ? "requests" : "tokens", l.Limit, (long)result[i * 2], TimeSpan.FromMilliseconds((long)result[i * 2 + 1])))];
    }

    private RedisKey[] Keys(SharedLimit[] limits) => [.. limits.Select(l => state.Key($"limit:{l.Kind}:{l.Scope}"))];

    private static LimitReading? Reading(string name, SharedLimit[] limits, char kind, RedisResult remaining, RedisResult resetMs)
    {
        var first = Array.FindIndex(limits, l => l.Kind == kind);
        if (first < 0 || (long)remaining < 0) return null;
        return new LimitReading(name, limits[first].Limit, (long)remaining, TimeSpan.FromMilliseconds((long)resetMs));
    }

    private static async Task ObserveAsync(Task task)
    {
        try
        {
            await task;
        }
        catch (SharedStateUnavailableException)
        {
            // Leases free the places; buckets refill on their own.
        }
    }
}
