using StackExchange.Redis;
using Tollgate.Limits;

namespace Tollgate.Storage.Redis;

/// <summary>Rate limits in Redis: one script call to admit a request against all its limits.</summary>
internal sealed class RedisLimits(SharedState state, SharedOptions options) : ILimitCounters
{
    public bool Joinable => true;

    public async ValueTask<LimitAdmission> AdmitAsync(string customerId, CountedLimit[] limits, string holdId, long tokenEstimate)
    {
        var values = new RedisValue[3 + limits.Length * 2];
        values[0] = holdId;
        values[1] = (long)options.Lease.TotalMilliseconds;
        values[2] = tokenEstimate;
        Arguments(limits, values, 3);
        var result = (RedisResult[])(await state.EvaluateAsync(LimitScripts.Admit, Keys(state, customerId, limits), values))!;
        var refused = (int)result[0];
        if (refused > 0) return Refused(limits, refused - 1, result, 1);
        return Admitted(limits, result, 1);
    }

    /// <summary>Limit <paramref name="index"/> refused: the script's retry ms at <paramref name="at"/>, its readings after.</summary>
    internal static LimitAdmission Refused(CountedLimit[] limits, int index, RedisResult[] result, int at) =>
        Admitted(limits, result, at + 1) with { Refused = index, RetryAfter = TimeSpan.FromMilliseconds((long)result[at]) };

    /// <summary>Admitted, with the readings the script returned from <paramref name="at"/> on: requests' remaining and reset, then tokens'.</summary>
    internal static LimitAdmission Admitted(CountedLimit[] limits, RedisResult[] result, int at) =>
        new(-1, TimeSpan.Zero, Reading("requests", limits, 'r', result[at], result[at + 1]), Reading("tokens", limits, 't', result[at + 2], result[at + 3]));

    public void Adjust(string customerId, CountedLimit[] limits, string holdId, long tokenDelta, bool leave)
    {
        // Only in-flight places are left and only token buckets trued up: a request-count bucket has nothing to give back.
        var chosen = limits.Where(l => (leave && l.Kind == 'c') || (tokenDelta != 0 && l.Kind == 't')).ToArray();
        if (chosen.Length == 0) return;
        var values = new RedisValue[2 + chosen.Length * 2];
        values[0] = holdId;
        values[1] = tokenDelta;
        Arguments(chosen, values, 2);
        _ = ObserveAsync(state.EvaluateAsync(LimitScripts.Adjust, Keys(state, customerId, chosen), values));
    }

    public async ValueTask<IReadOnlyList<LimitReading>> ReadAsync(string customerId, CountedLimit[] limits)
    {
        if (limits.Length == 0) return [];
        var result = (RedisResult[])(await state.EvaluateAsync(LimitScripts.Read, Keys(state, customerId, limits), [.. limits.Select(l => (RedisValue)l.Limit)]))!;
        return [.. limits.Select((l, i) => new LimitReading(l.Kind == 'r' ? "requests" : "tokens", l.Limit, (long)result[i * 2], TimeSpan.FromMilliseconds((long)result[i * 2 + 1])))];
    }

    /// <summary>The limits' keys, under the customer's hash tag like its spend accounts, so one script can take both.</summary>
    internal static RedisKey[] Keys(SharedState state, string customerId, CountedLimit[] limits) =>
        [.. limits.Select(l => state.Key("{" + customerId + "}:limit:" + l.Kind + ":" + l.Scope))];

    /// <summary>Each limit's kind and size, as the scripts take them after their other arguments.</summary>
    internal static void Arguments(CountedLimit[] limits, RedisValue[] values, int at)
    {
        for (var i = 0; i < limits.Length; i++)
        {
            values[at + 2 * i] = limits[i].Kind.ToString();
            values[at + 1 + 2 * i] = limits[i].Limit;
        }
    }

    private static LimitReading? Reading(string name, CountedLimit[] limits, char kind, RedisResult remaining, RedisResult resetMs)
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
