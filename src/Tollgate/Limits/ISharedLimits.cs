namespace Tollgate.Limits;

/// <summary>
/// Rate limits shared by every node of a cluster (in Redis): one atomic admission over every
/// limit that applies, with in-flight places held under a lease. When absent, each node counts
/// in memory. Every limit of a request belongs to its customer (the key's or the customer's own),
/// so they sit under the customer's hash tag with its spend accounts; a request that reserves
/// spend takes its limits in the same call (<see cref="JoinedLimits"/>).
/// </summary>
internal interface ISharedLimits
{
    Task<SharedAdmission> AdmitAsync(string customerId, SharedLimit[] limits, string holdId, long tokenEstimate);

    /// <summary>Gives tokens back (positive) or takes more (negative) and, when <paramref name="leave"/>, leaves the in-flight sets; never waits.</summary>
    void Adjust(string customerId, SharedLimit[] limits, string holdId, long tokenDelta, bool leave);

    /// <summary>What per-minute limits (<c>r</c>, <c>t</c>) have left now, taking nothing.</summary>
    Task<IReadOnlyList<LimitReading>> ReadAsync(string customerId, SharedLimit[] limits);
}

/// <summary>One limit: its scope (<c>key …</c> or <c>customer …</c>), kind (<c>c</c> in flight, <c>r</c> requests, <c>t</c> tokens per minute) and size.</summary>
internal readonly record struct SharedLimit(string Scope, char Kind, int Limit);

/// <summary>Admitted (Refused is -1) with the readings for the headers, or refused by limit <c>Refused</c>.</summary>
internal sealed record SharedAdmission(int Refused, TimeSpan RetryAfter, LimitReading? Requests, LimitReading? Tokens)
{
    /// <summary>The readings present, for the <c>x-ratelimit-*</c> headers.</summary>
    public IReadOnlyList<LimitReading> Readings => new[] { Requests, Tokens }.OfType<LimitReading>().ToList();
}

/// <summary>
/// A request's limits taken in the same Redis call as its spend reservation, and ended with it: its
/// settlement trues the tokens up to what was metered and leaves the in-flight sets, its release
/// gives the estimate back. Two round trips in all for a served request.
/// </summary>
internal sealed class JoinedLimits(SharedLimit[] limits, long estimate)
{
    private long _metered = -1;

    public SharedLimit[] Limits => limits;

    public long Estimate => estimate;

    /// <summary>The request's metered tokens, known before its usage is committed.</summary>
    public void Metered(long tokens) => Interlocked.Exchange(ref _metered, tokens);

    /// <summary>The tokens to give back when the hold ends: the estimate less what was metered (all of it when nothing was).</summary>
    public long GiveBack => estimate - Math.Max(Interlocked.Read(ref _metered), 0);

    /// <summary>The same limits without the request counts: for a second attempt of a request the first already counted.</summary>
    public JoinedLimits WithoutRequestCounts() => new([.. limits.Where(l => l.Kind != 'r')], estimate);
}
