using System.Collections.Concurrent;
using Tollgate.Billing.Subscriptions;
using Tollgate.Catalog;

namespace Tollgate.Subscriptions;

/// <summary>
/// The allowance windows of every live subscription on this node, in memory (rebuilt from the
/// usage events' units at start). Checking and taking units happens under one lock per
/// subscription, so concurrent requests never take more than the units left.
/// </summary>
internal sealed class Allowances(TimeProvider time)
{
    private readonly ConcurrentDictionary<string, Windows> _bySubscription = new(StringComparer.Ordinal);

    private sealed class Windows
    {
        public readonly Lock Gate = new();
        public List<WindowUsage> Usage = [];
    }

    /// <summary>Creates the windows of live subscriptions and replays their recent included usage, oldest first.</summary>
    public void Load(CatalogSnapshot snapshot, IEnumerable<(string CustomerId, string ModelId, long Units, DateTimeOffset At)> history)
    {
        _bySubscription.Clear();
        Apply(snapshot);
        foreach (var (customerId, modelId, units, at) in history)
        {
            if (!snapshot.Subscriptions.TryGetValue(customerId, out var subscription) || !_bySubscription.TryGetValue(subscription.Id, out var windows)) continue;
            foreach (var usage in windows.Usage)
            {
                if (usage.Window.Applies(modelId)) usage.Add(at, units);
            }
        }
    }

    /// <summary>Follows plan changes: a window that keeps its name, kind and duration keeps its usage; new windows start empty.</summary>
    public void Apply(CatalogSnapshot snapshot)
    {
        foreach (var subscription in snapshot.Subscriptions.Values)
        {
            var windows = _bySubscription.GetOrAdd(subscription.Id, _ => new Windows());
            lock (windows.Gate)
            {
                var kept = new List<WindowUsage>(subscription.Plan.Windows.Count);
                foreach (var window in subscription.Plan.Windows)
                {
                    var same = windows.Usage.FirstOrDefault(u => u.Window.Name == window.Name && u.Window.Kind == window.Kind && u.Window.Duration == window.Duration);
                    if (same is not null) same.Window = window;
                    kept.Add(same ?? new WindowUsage(window));
                }
                windows.Usage = kept;
            }
        }
        foreach (var id in _bySubscription.Keys)
        {
            if (!snapshot.Subscriptions.Values.Any(s => s.Id == id)) _bySubscription.TryRemove(id, out _);
        }
    }

    /// <summary>Takes <paramref name="units"/> from every window that applies to the model, or from none (the tightest refusal is returned).</summary>
    public AllowanceHold? TryTake(SubscriptionEntry subscription, string modelId, long units, out WindowView? refusedBy)
    {
        refusedBy = null;
        if (!_bySubscription.TryGetValue(subscription.Id, out var windows)) return null;
        var now = time.GetUtcNow();
        lock (windows.Gate)
        {
            var applicable = windows.Usage.Where(u => u.Window.Applies(modelId)).ToArray();
            foreach (var usage in applicable)
            {
                if (usage.Remaining(now) >= units) continue;
                var view = View(usage, now);
                if (refusedBy is null || view.ResetsAt > refusedBy.ResetsAt) refusedBy = view;
            }
            if (refusedBy is not null) return null;
            foreach (var usage in applicable) usage.Add(now, units);
            return new AllowanceHold(windows.Gate, applicable, units, now, time);
        }
    }

    public IReadOnlyList<WindowView> Read(SubscriptionEntry subscription)
    {
        if (!_bySubscription.TryGetValue(subscription.Id, out var windows)) return [];
        var now = time.GetUtcNow();
        lock (windows.Gate) return [.. windows.Usage.Select(u => View(u, now))];
    }

    private static WindowView View(WindowUsage usage, DateTimeOffset now) =>
        new(usage.Window.Name, usage.Window.Model, usage.Used(now), usage.Window.Size, usage.Remaining(now), usage.ResetsAt(now));
}

/// <summary>A window as <c>/v1/account</c> and refusals show it; <c>resets_at</c> is null for a session not yet opened.</summary>
internal sealed record WindowView(string Name, string? Model, long Used, long Size, long Remaining, DateTimeOffset? ResetsAt);

/// <summary>Units taken for one request: kept when it is metered, given back if it ends without being served.</summary>
internal sealed class AllowanceHold(Lock gate, WindowUsage[] windows, long units, DateTimeOffset takenAt, TimeProvider time)
{
    private int _done;

    public long Units { get; } = units;

    public void Keep() => Interlocked.Exchange(ref _done, 1);

    public void Release()
    {
        if (Interlocked.Exchange(ref _done, 1) != 0) return;
        var now = time.GetUtcNow();
        lock (gate)
        {
            foreach (var window in windows) window.Refund(takenAt, Units, now);
        }
    }
}
