namespace Tollgate.LocalModels;

/// <summary>
/// A bounded queue in front of an in-process model: at most <see cref="Concurrency"/> requests
/// run at once and at most <see cref="QueueLength"/> wait. A request that finds the queue full
/// is refused at once, so a burst turns into quick 503s rather than unbounded latency.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "SemaphoreSlim holds nothing to dispose unless its wait handle is used, and a replaced queue may still have requests in flight.")]
public sealed class WorkQueue
{
    private readonly SemaphoreSlim _slots;
    private int _admitted;
    private long _averageTicks;

    public WorkQueue(int concurrency, int queueLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(concurrency, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(queueLength);
        Concurrency = concurrency;
        QueueLength = queueLength;
        _slots = new SemaphoreSlim(concurrency, concurrency);
    }

    public int Concurrency { get; }

    public int QueueLength { get; }

    /// <summary>Requests running or waiting.</summary>
    public int Admitted => Volatile.Read(ref _admitted);

    /// <summary>
    /// When a refused caller may try again: the time the requests ahead of it need, from the
    /// average time a request has held a slot, and at least a second.
    /// </summary>
    public TimeSpan RetryAfter
    {
        get
        {
            var average = TimeSpan.FromTicks(Interlocked.Read(ref _averageTicks));
            var ahead = Math.Max(1, Admitted - Concurrency + 1);
            var wait = average * ahead / Concurrency;
            return wait < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : wait;
        }
    }

    /// <summary>A running slot, or null when the queue is full. Dispose the slot to free it.</summary>
    public async ValueTask<IDisposable?> EnterAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Increment(ref _admitted) > Concurrency + QueueLength)
        {
            Interlocked.Decrement(ref _admitted);
            return null;
        }
        try
        {
            await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            Interlocked.Decrement(ref _admitted);
            throw;
        }
        return new Slot(this);
    }

    private void Exit(TimeSpan held)
    {
        // An exponential moving average: recent requests count most, no history is kept.
        var previous = Interlocked.Read(ref _averageTicks);
        Interlocked.Exchange(ref _averageTicks, previous == 0 ? held.Ticks : (previous * 7 + held.Ticks) / 8);
        _slots.Release();
        Interlocked.Decrement(ref _admitted);
    }

    private sealed class Slot(WorkQueue queue) : IDisposable
    {
        private readonly long _started = System.Diagnostics.Stopwatch.GetTimestamp();
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0) queue.Exit(System.Diagnostics.Stopwatch.GetElapsedTime(_started));
        }
    }
}
