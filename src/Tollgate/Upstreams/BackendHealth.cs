using System.Collections.Concurrent;

namespace Tollgate.Upstreams;

/// <summary>
/// Remembers backends that just failed so the next requests try the others first. A failing
/// backend stays a last resort during its cool-down rather than being dropped.
/// </summary>
internal sealed class BackendHealth(TimeProvider time)
{
    public static readonly TimeSpan CoolDown = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<string, DateTimeOffset> _unhealthyUntil = new(StringComparer.Ordinal);

    public bool IsHealthy(string backendId) =>
        !_unhealthyUntil.TryGetValue(backendId, out var until) || time.GetUtcNow() >= until;

    public void MarkFailed(string backendId) => _unhealthyUntil[backendId] = time.GetUtcNow() + CoolDown;

    public void MarkSucceeded(string backendId) => _unhealthyUntil.TryRemove(backendId, out _);
}
