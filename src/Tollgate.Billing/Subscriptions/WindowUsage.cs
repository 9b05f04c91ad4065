namespace Tollgate.Billing.Subscriptions;

/// <summary>
/// The units used in one allowance window, and when it resets. Not thread-safe: the owner
/// serializes access (one lock per subscription), so checking and taking units is atomic.
/// </summary>
public sealed class WindowUsage(AllowanceWindow window)
{
    /// <summary>Rolling windows keep units per minute, so memory is bounded by the duration, not by the request count.</summary>
    private static readonly TimeSpan RollingBucket = TimeSpan.FromMinutes(1);

    private readonly LinkedList<(DateTimeOffset Start, long Units)> _buckets = new();
    private DateTimeOffset? _opened;
    private long _used;

    /// <summary>Replaced when the plan changes the window's size or model but not how it opens and resets.</summary>
    public AllowanceWindow Window { get; set; } = window;

    public long Used(DateTimeOffset now)
    {
        Expire(now);
        return _used;
    }

    public long Remaining(DateTimeOffset now) => Math.Max(Window.Size - Used(now), 0);

    /// <summary>When units used now are free again; null for a session window not yet opened (it opens with the next request).</summary>
    public DateTimeOffset? ResetsAt(DateTimeOffset now)
    {
        Expire(now);
        return Window.Kind switch
        {
            WindowKind.Session => _opened + Window.Duration,
            WindowKind.Rolling => _buckets.First is { } oldest ? oldest.Value.Start + RollingBucket + Window.Duration : null,
            _ => MonthStart(now).AddMonths(1),
        };
    }

    public void Add(DateTimeOffset at, long units)
    {
        Expire(at);
        switch (Window.Kind)
        {
            case WindowKind.Session:
                _opened ??= at;
                break;
            case WindowKind.Rolling:
                var bucket = Floor(at);
                if (_buckets.Last is { } last && last.Value.Start == bucket) last.Value = (bucket, last.Value.Units + units);
                else _buckets.AddLast((bucket, units));
                break;
            case WindowKind.Calendar:
                _opened ??= MonthStart(at);
                break;
        }
        _used += units;
    }

    /// <summary>Gives back units of a request that failed before producing anything, if its window is still the same.</summary>
    public void Refund(DateTimeOffset takenAt, long units, DateTimeOffset now)
    {
        Expire(now);
        switch (Window.Kind)
        {
            case WindowKind.Session when _opened is { } opened && takenAt >= opened:
            case WindowKind.Calendar when _opened is { } month && takenAt >= month:
                _used = Math.Max(_used - units, 0);
                break;
            case WindowKind.Rolling:
                for (var node = _buckets.Last; node is not null; node = node.Previous)
                {
                    if (node.Value.Start != Floor(takenAt)) continue;
                    var back = Math.Min(node.Value.Units, units);
                    node.Value = (node.Value.Start, node.Value.Units - back);
                    _used -= back;
                    break;
                }
                break;
        }
    }

    /// <summary>The window's state now, to copy elsewhere: the shared counters seed a window from history replayed here.</summary>
    public WindowState State(DateTimeOffset now)
    {
        Expire(now);
        return new WindowState(_opened, _used, [.. _buckets]);
    }

    private void Expire(DateTimeOffset now)
    {
        switch (Window.Kind)
        {
            case WindowKind.Session when _opened is { } opened && now >= opened + Window.Duration:
                _opened = null;
                _used = 0;
                break;
            case WindowKind.Calendar when _opened is { } month && now >= month.AddMonths(1):
                _opened = null;
                _used = 0;
                break;
            case WindowKind.Rolling:
                while (_buckets.First is { } oldest && oldest.Value.Start + RollingBucket + Window.Duration <= now)
                {
                    _used -= oldest.Value.Units;
                    _buckets.RemoveFirst();
                }
                break;
        }
    }

    private static DateTimeOffset Floor(DateTimeOffset at) => new(at.UtcTicks - at.UtcTicks % RollingBucket.Ticks, TimeSpan.Zero);

    /// <summary>The start of the UTC month of <paramref name="at"/>: a calendar window's opening.</summary>
    public static DateTimeOffset MonthStart(DateTimeOffset at)
    {
        var utc = at.ToUniversalTime();
        return new DateTimeOffset(utc.Year, utc.Month, 1, 0, 0, 0, TimeSpan.Zero);
    }
}

/// <summary>
/// A window's state: when it opened (a session's first use, a calendar window's month start; null
/// when not open), the units used, and for a rolling window its units per minute, oldest first.
/// </summary>
public sealed record WindowState(DateTimeOffset? Opened, long Used, IReadOnlyList<(DateTimeOffset Start, long Units)> Buckets);
