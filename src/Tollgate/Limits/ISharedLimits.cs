namespace Tollgate.Limits;

/// <summary>
/// Rate limits shared by every node of a cluster (in Redis): one atomic admission over every
/// limit that applies, with in-flight places held under a lease. When absent, each node counts
/// in memory.
/// </summary>
internal interface ISharedLimits
{
    Task<SharedAdmission> AdmitAsync(SharedLimit[] limits, string holdId, long tokenEstimate);

    /// <summary>Gives tokens back (positive) or takes more (negative) and, when <paramref name="leave"/>, leaves the in-flight sets; never waits.</summary>
    void Adjust(SharedLimit[] limits, string holdId, long tokenDelta, bool leave);

    /// <summary>What per-minute limits (<c>r</c>, <c>t</c>) have left now, taking nothing.</summary>
    Task<IReadOnlyList<LimitReading>> ReadAsync(SharedLimit[] limits);
}

/// <summary>One limit: its scope (<c>key …</c> or <c>customer …</c>), kind (<c>c</c> in flight, <c>r</c> requests, <c>t</c> tokens per minute) and size.</summary>
internal readonly record struct SharedLimit(string Scope, char Kind, int Limit);

/// <summary>Admitted (Refused is -1) with the readings for the headers, or refused by limit <c>Refused</c>.</summary>
internal sealed record SharedAdmission(int Refused, TimeSpan RetryAfter, LimitReading? Requests, LimitReading? Tokens);
