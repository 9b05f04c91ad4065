using System.Collections.Concurrent;

namespace Tollgate.Upstreams;

/// <summary>
/// What the routing knows of each backend: whether its circuit breaker (<see cref="BackendResilience"/>,
/// the one judge of a backend's health) is open, and its recent latency for the <c>latency</c>
/// routing policy. A backend whose breaker is open goes last until the break is over, then it is
/// tried in its place again, and that call is the breaker's half-open probe.
/// </summary>
internal sealed class BackendHealth(TimeProvider time)
{
    /// <summary>Weight of the newest sample in the moving average: about the last ten requests count.</summary>
    public const double LatencyWeight = 0.2;

    private readonly ConcurrentDictionary<string, DateTimeOffset> _openUntil = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, double> _latencyMs = new(StringComparer.Ordinal);

    /// <summary>False while the backend's breaker is open and its break not yet over.</summary>
    public bool IsHealthy(string backendId) =>
        !_openUntil.TryGetValue(backendId, out var until) || time.GetUtcNow() >= until;

    /// <summary>The breaker opened: it refuses calls for <paramref name="breakDuration"/>.</summary>
    public void BreakerOpened(string backendId, TimeSpan breakDuration) => _openUntil[backendId] = time.GetUtcNow() + breakDuration;

    /// <summary>The breaker closed again (its probe succeeded).</summary>
    public void BreakerClosed(string backendId) => _openUntil.TryRemove(backendId, out _);

    /// <summary>Adds a sample of the time to a response (or a stream's first event) to the backend's moving average.</summary>
    public void RecordLatency(string backendId, TimeSpan elapsed)
    {
        var sample = elapsed.TotalMilliseconds;
        _latencyMs.AddOrUpdate(backendId, sample, (_, average) => average + LatencyWeight * (sample - average));
    }

    /// <summary>The moving average in milliseconds; null before the first answer.</summary>
    public double? LatencyMs(string backendId) => _latencyMs.TryGetValue(backendId, out var average) ? average : null;
}
