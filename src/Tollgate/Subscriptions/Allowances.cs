using System.Collections.Concurrent;
using Tollgate.Billing.Subscriptions;
using Tollgate.Catalog;

namespace Tollgate.Subscriptions;

/// <summary>
/// The allowance windows of every live subscription on this node, in memory (rebuilt from the
/// usage events' units at start). Checking and taking units happens under one lock per
/// subscription, so concurrent requests never take more than the units left.
/// </summary>
internal sealed class Allowances(TimeProvider time) : IAllowanceWindows
{
    /// <summary>How far back windows are rebuilt from usage: the longest window (31 days) and a day to spare.</summary>
    public static readonly TimeSpan History = TimeSpan.FromDays(32);

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

    public ValueTask<AllowanceTake> TryTakeAsync(SubscriptionEntry subscription, string modelId, long units, string holdId) => ValueTask.FromResult(TryTake(subscription, modelId, units));

    public ValueTask<IReadOnlyList<WindowView>> ReadAsync(SubscriptionEntry subscription) => ValueTask.FromResult(Read(subscription));

    /// <summary>Takes <paramref name="units"/> from every window that applies to the model, or from none (the tightest refusal is returned).</summary>
    public AllowanceTake TryTake(SubscriptionEntry subscription, string modelId, long units)
    {
        if (!_bySubscription.TryGetValue(subscription.Id, out var windows)) return default;
        var now = time.GetUtcNow();
        lock (windows.Gate)
        {
            var applicable = windows.Usage.Where(u => u.Window.Applies(modelId)).ToArray();
            var refusedBy = AllowanceTake.Tightest(applicable.Where(u => u.Remaining(now) < units).Select(u => View(u, now)));
            if (refusedBy is not null) return new AllowanceTake(null, refusedBy);
            foreach (var usage in applicable) usage.Add(now, units);
            return new AllowanceTake(new LocalHold(windows.Gate, applicable, units, now, time), null);
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

/// <summary>Units taken from this node's windows.</summary>
internal sealed class LocalHold(Lock gate, WindowUsage[] windows, long units, DateTimeOffset takenAt, TimeProvider time) : AllowanceHold(units)
{
    protected override void Refund()
    {
        var now = time.GetUtcNow();
        lock (gate)
        {
            foreach (var window in windows) window.Refund(takenAt, Units, now);
        }
    }
}
