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
        DateTimeOffset since, CancellationToken cancellationToken)
    {
        var events = await StableCountAsync(tollgate, [.. sent.Keys], since, cancellationToken);
        return [.. sent.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s =>
        {
            var (ok, allowance) = s.Value;
            var stored = events[s.Key];
            return new UsageCheck(s.Key, ok, stored, allowance, stored >= ok && stored - ok <= allowance);
        })];
    }

    private static async Task<IReadOnlyDictionary<string, long>> StableCountAsync(TollgateServer tollgate, IReadOnlyCollection<string> models,
        DateTimeOffset since, CancellationToken cancellationToken)
    {
        var last = await tollgate.CountEventsAsync(models, since, cancellationToken);
        for (var attempt = 0; attempt < 10; attempt++)
        {
            await Task.Delay(500, cancellationToken);
            var now = await tollgate.CountEventsAsync(models, since, cancellationToken);
            if (now.All(c => last[c.Key] == c.Value)) return now;
            last = now;
        }
        return last;
    }
}
