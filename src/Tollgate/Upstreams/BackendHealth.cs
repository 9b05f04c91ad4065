using System.Collections.Concurrent;

namespace Tollgate.Upstreams;

/// <summary>
/// Remembers backends that just failed so the next requests try the others first. A failing
/// backend stays a last resort during its cool-down rather than being dropped. Also keeps each
/// backend's recent latency, for the <c>latency</c> routing policy.
/// </summary>
internal sealed class BackendHealth(TimeProvider time)
{
    public static readonly TimeSpan CoolDown = TimeSpan.FromSeconds(30);

    /// <summary>Weight of the newest sample in the moving average: about the last ten requests count.</summary>
    public const double LatencyWeight = 0.2;

    private readonly ConcurrentDictionary<string, DateTimeOffset> _unhealthyUntil = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, double> _latencyMs = new(StringComparer.Ordinal);

    public bool IsHealthy(string backendId) =>
        !_unhealthyUntil.TryGetValue(backendId, out var until) || time.GetUtcNow() >= until;

    public void MarkFailed(string backendId) => _unhealthyUntil[backendId] = time.GetUtcNow() + CoolDown;

    public void MarkSucceeded(string backendId) => _unhealthyUntil.TryRemove(backendId, out _);

    /// <summary>Adds a sample of the time to a response (or a stream's first event) to the backend's moving average.</summary>
    public void RecordLatency(string backendId, TimeSpan elapsed)
    {
        var sample = elapsed.TotalMilliseconds;
        _latencyMs.AddOrUpdate(backendId, sample, (_, average) => average + LatencyWeight * (sample - average));
    }

    /// <summary>The moving average in milliseconds; null before the first answer.</summary>
    public double? LatencyMs(string backendId) => _latencyMs.TryGetValue(backendId, out var average) ? average : null;
}
