namespace Tollgate.Limits;

/// <summary>
/// The counters behind rate limits: in this node's memory (<see cref="MemoryLimits"/>) on a single
/// node, in Redis across a cluster (every node's requests counted alike, in-flight places held under
/// a lease). Both take a request's limits in one atomic admission, all or none, and behave alike
/// (one conformance suite runs against both). Every limit of a request belongs to its customer (the
/// key's or the customer's own), so in Redis they sit under the customer's hash tag with its spend
/// accounts, and a request that reserves spend takes its limits in the same call
/// (<see cref="JoinedLimits"/>, when <see cref="Joinable"/>).
/// </summary>
internal interface ILimitCounters
{
    /// <summary>Whether a spend reservation can take the limits in its own call (the cluster's shared counters).</summary>
    bool Joinable { get; }

    /// <summary>Takes from every limit or none; the readings of the first requests and tokens limits come back either way.</summary>
    ValueTask<LimitAdmission> AdmitAsync(string customerId, CountedLimit[] limits, string holdId, long tokenEstimate);

    /// <summary>Gives tokens back (positive) or takes more (negative) and, when <paramref name="leave"/>, leaves the in-flight places; never waits.</summary>
    void Adjust(string customerId, CountedLimit[] limits, string holdId, long tokenDelta, bool leave);

    /// <summary>What per-minute limits (<c>r</c>, <c>t</c>) have left now, taking nothing.</summary>
    ValueTask<IReadOnlyList<LimitReading>> ReadAsync(string customerId, CountedLimit[] limits);
}

/// <summary>One limit: its scope (<c>key …</c> or <c>customer …</c>), kind (<c>c</c> in flight, <c>r</c> requests, <c>t</c> tokens per minute) and size.</summary>
internal readonly record struct CountedLimit(string Scope, char Kind, int Limit);

/// <summary>Admitted (Refused is -1) or refused by limit <c>Refused</c>, with the readings for the headers.</summary>
internal sealed record LimitAdmission(int Refused, TimeSpan RetryAfter, LimitReading? Requests, LimitReading? Tokens)
{
    /// <summary>The readings present, for the <c>x-ratelimit-*</c> headers.</summary>
    public IReadOnlyList<LimitReading> Readings => new[] { Requests, Tokens }.OfType<LimitReading>().ToList();
}

/// <summary>
/// A request's limits taken in the same Redis call as its spend reservation, and ended with it: its
/// settlement trues the tokens up to what was metered and leaves the in-flight sets, its release
/// gives the estimate back. Two round trips in all for a served request.
/// </summary>
internal sealed class JoinedLimits(CountedLimit[] limits, long estimate)
{
    private long _metered = -1;

    public CountedLimit[] Limits => limits;

    public long Estimate => estimate;

    /// <summary>The request's metered tokens, known before its usage is committed.</summary>
    public void Metered(long tokens) => Interlocked.Exchange(ref _metered, tokens);

    /// <summary>The tokens to give back when the hold ends: the estimate less what was metered (all of it when nothing was).</summary>
    public long GiveBack => estimate - Math.Max(Interlocked.Read(ref _metered), 0);

    /// <summary>The same limits without the request counts: for a second attempt of a request the first already counted.</summary>
    public JoinedLimits WithoutRequestCounts() => new([.. limits.Where(l => l.Kind != 'r')], estimate);
}
