using HdrHistogram;

namespace Tollgate.Bench.Load;

/// <summary>
/// What one connection (or one generator) saw: outcomes of every request, warm-up included
/// (the gateway bills those too), and latencies of the measured ones, in nanoseconds.
/// </summary>
internal sealed class LoadStats
{
    /// <summary>One hour in nanoseconds: no latency in a bounded run can exceed it.</summary>
    private const long HighestLatency = 3_600_000_000_000;

    public LongHistogram Latency { get; } = new(HighestLatency, 3);

    public long Ok { get; private set; }

    public long MeasuredOk { get; private set; }

    public long HttpErrors { get; private set; }

    public long Incomplete { get; private set; }

    public long IoErrors { get; private set; }

    public long Errors => HttpErrors + Incomplete + IoErrors;

    public void Count(RequestOutcome outcome, bool measured, long latencyNs)
    {
        switch (outcome)
        {
            case RequestOutcome.Ok:
                Ok++;
                if (measured) MeasuredOk++;
                break;
            case RequestOutcome.HttpError:
                HttpErrors++;
                break;
            case RequestOutcome.Incomplete:
                Incomplete++;
                break;
            default:
                IoErrors++;
                break;
        }
        // A failed request's wait is latency too: leaving it out would flatter a failing target.
        if (measured) Latency.RecordValue(Math.Clamp(latencyNs, 0, HighestLatency));
    }

    public void Add(LoadStats other)
    {
        Latency.Add(other.Latency);
        Ok += other.Ok;
        MeasuredOk += other.MeasuredOk;
        HttpErrors += other.HttpErrors;
        Incomplete += other.Incomplete;
        IoErrors += other.IoErrors;
    }
}
