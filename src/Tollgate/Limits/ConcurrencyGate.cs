namespace Tollgate.Limits;

/// <summary>Counts requests in flight against a cap; entering past the cap is refused at once, never queued.</summary>
internal sealed class ConcurrencyGate(int limit)
{
    private int _inFlight;

    public int Limit { get; set; } = limit;

    public int InFlight => Volatile.Read(ref _inFlight);

    public bool TryEnter()
    {
        if (Interlocked.Increment(ref _inFlight) <= Limit) return true;
        Interlocked.Decrement(ref _inFlight);
        return false;
    }

    public void Exit() => Interlocked.Decrement(ref _inFlight);
}
