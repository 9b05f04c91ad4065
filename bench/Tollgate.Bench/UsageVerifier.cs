using Tollgate.Bench.Results;
using Tollgate.Bench.Targets;

namespace Tollgate.Bench;

/// <summary>
/// After the load: did Tollgate store one usage event per successful response? Counted per model
/// through the admin API, once the count has stopped moving (requests abandoned by wrk may still
/// be settling).
/// </summary>
internal static class UsageVerifier
{
    public static async Task<List<UsageCheck>> CheckAsync(TollgateServer tollgate, IReadOnlyDictionary<string, (long Ok, long Allowance)> sent,
        CancellationToken cancellationToken)
    {
        var checks = new List<UsageCheck>();
        foreach (var (model, (ok, allowance)) in sent.OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            var events = await StableCountAsync(tollgate, model, cancellationToken);
            checks.Add(new UsageCheck(model, ok, events, allowance, events >= ok && events - ok <= allowance));
        }
        return checks;
    }

    private static async Task<long> StableCountAsync(TollgateServer tollgate, string model, CancellationToken cancellationToken)
    {
        var last = await tollgate.CountEventsAsync(model, cancellationToken);
        for (var attempt = 0; attempt < 10; attempt++)
        {
            await Task.Delay(500, cancellationToken);
            var now = await tollgate.CountEventsAsync(model, cancellationToken);
            if (now == last) return now;
            last = now;
        }
        return last;
    }
}
