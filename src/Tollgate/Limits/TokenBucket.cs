namespace Tollgate.Limits;

/// <summary>
/// A per-minute limit as a token bucket: it holds up to the limit and refills continuously at
/// limit/60 per second. Unlike fixed windows it has no burst at window edges, and "remaining"
/// and "resets in" fall straight out of it (OpenAI's rate-limit headers describe the same).
/// A take larger than what is left is refused whole; settling may return tokens or run it into
/// debt (actual use above the estimate), which later requests then wait out.
/// </summary>
internal sealed class TokenBucket(long limit, long startTimestamp)
{
    private readonly Lock _lock = new();
    private double _level = limit;
    private long _lastTimestamp = startTimestamp;

    public long Limit { get; private set; } = limit;

    public bool TryTake(long amount, long nowTimestamp, TimeProvider time, out TimeSpan retryAfter)
    {
        lock (_lock)
        {
            Refill(nowTimestamp, time);
            if (amount <= _level)
            {
                _level -= amount;
                retryAfter = TimeSpan.Zero;
                return true;
            }
            // Asking for more than the whole limit can never succeed: say when it is full again.
            var missing = Math.Min(amount, Limit) - _level;
            retryAfter = TimeSpan.FromSeconds(Math.Max(missing, 0) * 60.0 / Limit);
            return false;
        }
    }

    /// <summary>Gives back (positive) or takes more (negative) once the real use is known.</summary>
    public void Adjust(long delta, long nowTimestamp, TimeProvider time)
    {
        lock (_lock)
        {
            Refill(nowTimestamp, time);
            _level = Math.Min(Limit, _level + delta);
        }
    }

    public void SetLimit(long limit)
    {
        lock (_lock)
        {
            _level = Math.Min(_level + (limit - Limit), limit);
            Limit = limit;
        }
    }

    /// <summary>What is left now, and how long until the bucket is full again.</summary>
    public (long Remaining, TimeSpan ResetsIn) Read(long nowTimestamp, TimeProvider time)
    {
        lock (_lock)
        {
            Refill(nowTimestamp, time);
            var remaining = (long)Math.Floor(Math.Max(_level, 0));
            return (remaining, TimeSpan.FromSeconds((Limit - _level) * 60.0 / Limit));
        }
    }

    private void Refill(long nowTimestamp, TimeProvider time)
    {
        var elapsed = time.GetElapsedTime(_lastTimestamp, nowTimestamp);
        _lastTimestamp = nowTimestamp;
        if (elapsed > TimeSpan.Zero) _level = Math.Min(Limit, _level + elapsed.TotalSeconds * Limit / 60.0);
    }
}
