using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using StackExchange.Redis;
using Tollgate.Billing.Subscriptions;
using Tollgate.Catalog;
using Tollgate.Subscriptions;

namespace Tollgate.Storage.Redis;

/// <summary>
/// Allowance windows shared by every node of a cluster, in Redis: one script call takes units from
/// every window that applies, or from none. A subscription whose marker is absent (first use, or
/// Redis restarted empty) is rebuilt from the usage events, replayed through the same
/// <see cref="WindowUsage"/> that counts on a single node, so both count alike.
/// <para>
/// Time is this node's <see cref="TimeProvider"/>, passed to the scripts, not Redis's clock: the
/// windows are rebuilt from usage events stamped with the nodes' clocks, so counting in that same
/// time keeps a rebuilt window identical to the live one; calendar months are computed here; and
/// tests on a fake clock can move a window past its reset. Nodes' clocks agree to milliseconds,
/// windows count in minutes and more. Times are whole milliseconds.
/// </para>
/// </summary>
internal sealed partial class RedisAllowances(SharedState state, ISubscriptionStore store, TimeProvider time, SharedOptions options, ILogger<RedisAllowances> logger)
    : IAllowanceWindows
{
    /// <summary>The marker outlives every window key (at most 31 days and a minute, plus the margin), refreshed on each take.</summary>
    private static readonly TimeSpan MarkerTtl = TimeSpan.FromDays(33);

    /// <summary>A window's key expires this long after it can no longer matter.</summary>
    private static readonly TimeSpan Margin = TimeSpan.FromHours(1);

    private readonly ConcurrentDictionary<string, Task> _seeding = new(StringComparer.Ordinal);

    /// <summary>Windows are keyed by name, kind and duration, and their sizes and models come from the snapshot at each call: nothing to follow.</summary>
    public void Apply(CatalogSnapshot snapshot)
    {
    }

    public async ValueTask<AllowanceTake> TryTakeAsync(SubscriptionEntry subscription, string modelId, long units, string holdId)
    {
        var windows = subscription.Plan.Windows.Where(w => w.Applies(modelId)).ToArray();
        if (windows.Length == 0) return new AllowanceTake(new RedisHold(this, subscription, windows, units, default, holdId), null);
        var now = Millis(time.GetUtcNow());
        var keys = new RedisKey[2 + windows.Length];
        keys[0] = Marker(subscription);
        keys[1] = TakeRecord(holdId);
        var values = new RedisValue[5 + windows.Length * 5];
        values[0] = Text(now);
        values[1] = units;
        values[2] = (long)MarkerTtl.TotalMilliseconds;
        values[3] = (long)Margin.TotalMilliseconds;
        values[4] = (long)options.Lease.TotalMilliseconds;
        var month = WindowUsage.MonthStart(time.GetUtcNow());
        for (var i = 0; i < windows.Length; i++)
        {
            keys[2 + i] = Window(subscription, windows[i]);
            values[5 + i * 5] = Kind(windows[i]);
            values[6 + i * 5] = (long)windows[i].Duration.TotalMilliseconds;
            values[7 + i * 5] = windows[i].Size;
            values[8 + i * 5] = Text(Millis(month));
            values[9 + i * 5] = Text(Millis(month.AddMonths(1)));
        }
        for (var attempt = 0; ; attempt++)
        {
            RedisResult[] result;
            try
            {
                result = (RedisResult[])(await state.EvaluateAsync(WindowScripts.Take, keys, values))!;
            }
            catch (SharedStateUnavailableException)
            {
                // The take may have landed with only its answer lost: the request is not served, so give it back (once, if it landed).
                _ = RetryAsync(WindowScripts.Refund, [keys[0], keys[1], .. keys[2..]], RefundValues(windows, now, units));
                throw;
            }
            switch ((int)result[0])
            {
                case 0:
                    return new AllowanceTake(new RedisHold(this, subscription, windows, units, now, holdId), null);
                case 2:
                    var views = Views(windows, result, 1, time.GetUtcNow());
                    return new AllowanceTake(null, AllowanceTake.Tightest(views.Where(v => v.Remaining < units)));
                default:
                    if (attempt >= 2) throw new SharedStateUnavailableException("The shared allowance windows could not be rebuilt from the usage events.");
                    await SeedAsync(subscription);
                    break;
            }
        }
    }

    public async ValueTask<IReadOnlyList<WindowView>> ReadAsync(SubscriptionEntry subscription)
    {
        var windows = subscription.Plan.Windows;
        var keys = new RedisKey[1 + windows.Count];
        keys[0] = Marker(subscription);
        var values = new RedisValue[1 + windows.Count * 2];
        var now = time.GetUtcNow();
        values[0] = Text(Millis(now));
        for (var i = 0; i < windows.Count; i++)
        {
            keys[1 + i] = Window(subscription, windows[i]);
            values[1 + i * 2] = Kind(windows[i]);
            values[2 + i * 2] = (long)windows[i].Duration.TotalMilliseconds;
        }
        for (var attempt = 0; ; attempt++)
        {
            var result = (RedisResult[])(await state.EvaluateAsync(WindowScripts.Read, keys, values))!;
            if ((int)result[0] == 0) return Views([.. windows], result, 1, now);
            if (attempt >= 2) throw new SharedStateUnavailableException("The shared allowance windows could not be rebuilt from the usage events.");
            await SeedAsync(subscription);
        }
    }

    /// <summary>Window views from a script's (used, resets) pairs starting at <paramref name="from"/>.</summary>
    private static List<WindowView> Views(IReadOnlyList<AllowanceWindow> windows, RedisResult[] result, int from, DateTimeOffset now)
    {
        var views = new List<WindowView>(windows.Count);
        for (var i = 0; i < windows.Count; i++)
        {
            var window = windows[i];
            var used = (long)result[from + i * 2];
            var resets = (long)result[from + i * 2 + 1];
            DateTimeOffset? resetsAt = window.Kind == WindowKind.Calendar ? WindowUsage.MonthStart(now).AddMonths(1)
                : resets < 0 ? null : DateTimeOffset.FromUnixTimeMilliseconds(resets);
            views.Add(new WindowView(window.Name, window.Model, used, window.Size, Math.Max(window.Size - used, 0), resetsAt));
        }
        return views;
    }

    /// <summary>Rebuilds the subscription's windows from its usage events; concurrent callers on this node share one rebuild.</summary>
    private Task SeedAsync(SubscriptionEntry subscription)
    {
        var seeding = _seeding.GetOrAdd(subscription.Id, _ => SeedCoreAsync(subscription));
        _ = seeding.ContinueWith(_ => _seeding.TryRemove(new KeyValuePair<string, Task>(subscription.Id, seeding)), TaskScheduler.Default);
        return seeding;
    }

    private async Task SeedCoreAsync(SubscriptionEntry subscription)
    {
        await Task.Yield();
        var now = time.GetUtcNow();
        var history = await store.UnitsSinceAsync(now - Allowances.History, subscription.CustomerId);
        var usages = subscription.Plan.Windows.Select(w => new WindowUsage(w)).ToArray();
        foreach (var (_, modelId, units, at) in history)
        {
            foreach (var usage in usages)
            {
                if (usage.Window.Applies(modelId)) usage.Add(at, units);
            }
        }
        var keys = new List<RedisKey>(1 + usages.Length) { Marker(subscription) };
        var values = new List<RedisValue>
        {
            Guid.NewGuid().ToString("N"), (long)MarkerTtl.TotalMilliseconds, Text(Millis(now)), (long)Margin.TotalMilliseconds,
        };
        foreach (var usage in usages)
        {
            var window = usage.Window;
            var seeded = usage.State(now);
            keys.Add(Window(subscription, window));
            values.Add(Kind(window));
            values.Add((long)window.Duration.TotalMilliseconds);
            var ends = window.Kind == WindowKind.Session ? seeded.Opened + window.Duration : seeded.Opened?.AddMonths(1);
            values.Add(seeded.Opened is { } opened ? Text(Millis(opened)) : "");
            values.Add(ends is { } end ? Text(Millis(end)) : "");
            values.Add(seeded.Used);
            values.Add(seeded.Buckets.Count);
            foreach (var (start, units) in seeded.Buckets)
            {
                values.Add(Text(Millis(start)));
                values.Add(units);
            }
        }
        await state.EvaluateAsync(WindowScripts.Seed, [.. keys], [.. values]);
        LogSeeded(logger, subscription.Id, history.Count);
    }

    private void Refund(SubscriptionEntry subscription, AllowanceWindow[] windows, long units, long takenAt, string holdId)
    {
        if (windows.Length == 0) return;
        RedisKey[] keys = [Marker(subscription), TakeRecord(holdId), .. windows.Select(w => Window(subscription, w))];
        var values = RefundValues(windows, takenAt, units);
        values[0] = Text(Millis(time.GetUtcNow()));
        _ = RetryAsync(WindowScripts.Refund, keys, values);
    }

    private static RedisValue[] RefundValues(AllowanceWindow[] windows, long takenAt, long units)
    {
        var values = new RedisValue[3 + windows.Length * 2];
        values[0] = Text(takenAt);
        values[1] = Text(takenAt);
        values[2] = units;
        for (var i = 0; i < windows.Length; i++)
        {
            values[3 + i * 2] = Kind(windows[i]);
            values[4 + i * 2] = (long)windows[i].Duration.TotalMilliseconds;
        }
        return values;
    }

    /// <summary>A refund is recorded once (its take record is consumed), so retrying until Redis answers is safe; the lease bounds it.</summary>
    private async Task RetryAsync(SharedScript script, RedisKey[] keys, RedisValue[] values)
    {
        // Elapsed real time, not the clock the windows count in: a test's fake clock must not stop the retries ending.
        var started = Stopwatch.GetTimestamp();
        while (true)
        {
            try
            {
                await state.EvaluateAsync(script, keys, values);
                return;
            }
            catch (SharedStateUnavailableException) when (Stopwatch.GetElapsedTime(started) < options.Lease)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(500));
            }
            catch (SharedStateUnavailableException ex)
            {
                LogGaveUp(logger, ex);
                return;
            }
        }
    }

    private RedisKey Marker(SubscriptionEntry subscription) => state.Key("win:" + subscription.Id);

    private RedisKey TakeRecord(string holdId) => state.Key("win-take:" + holdId);

    /// <summary>A window keeps its usage across plan changes while its name, kind and duration stay (as on a single node).</summary>
    private RedisKey Window(SubscriptionEntry subscription, AllowanceWindow window) =>
        state.Key($"win:{subscription.Id}:{Kind(window)}:{Text((long)window.Duration.TotalMilliseconds)}:{window.Name}");

    private static string Kind(AllowanceWindow window) => window.Kind switch
    {
        WindowKind.Session => "s",
        WindowKind.Rolling => "r",
        _ => "c",
    };

    private static long Millis(DateTimeOffset at) => at.ToUnixTimeMilliseconds();

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>Units taken from the shared windows; given back by a script that runs once.</summary>
    private sealed class RedisHold(RedisAllowances owner, SubscriptionEntry subscription, AllowanceWindow[] windows, long units, long takenAt, string holdId)
        : AllowanceHold(units)
    {
        protected override void Refund() => owner.Refund(subscription, windows, Units, takenAt, holdId);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Rebuilt the shared allowance windows of subscription {SubscriptionId} from {Events} usage events")]
    private static partial void LogSeeded(ILogger logger, string subscriptionId, int events);

    [LoggerMessage(Level = LogLevel.Error, Message = "Gave up giving allowance units back to Redis; they free themselves when their window resets")]
    private static partial void LogGaveUp(ILogger logger, Exception exception);
}
