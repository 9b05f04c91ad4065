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

    private void Exit()
    {
        _slots.Release();
        Interlocked.Decrement(ref _admitted);
    }

    private sealed class Slot(WorkQueue queue) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0) queue.Exit();
        }
    }
}
