using Tollgate.Catalog;

namespace Tollgate.Limits;

/// <summary>
/// Requests per minute, tokens per minute and requests in flight, per key and per customer, on the
/// node's <see cref="ILimitCounters"/> (memory, or Redis across a cluster). Tokens are taken at
/// admission as an estimate (the input's size in bytes over four, plus the output cap for every
/// choice, as OpenAI counts) and trued up to the metered use at settlement.
/// </summary>
internal sealed class RateLimiter(TimeProvider time, ILimitCounters counters, Budgets.Tiers? tiers = null)
{
    /// <summary>Admits the request against every limit that applies, or refuses it having taken nothing.</summary>
    public async ValueTask<(LimitHold? Hold, LimitRefusal? Refusal)> TryAdmitAsync(CustomerEntry customer, KeyEntry key, long tokenEstimate, string holdId)
    {
        var limits = Applicable(customer, key);
        if (limits.Length == 0) return (new LimitHold(counters, customer.Id, limits, holdId, tokenEstimate), null);
        var admission = await counters.AdmitAsync(customer.Id, limits, holdId, tokenEstimate);
        if (admission.Refused >= 0) return (null, Refusal(limits, admission));
        return (new LimitHold(counters, customer.Id, limits, holdId, tokenEstimate) { Headers = admission.Readings }, null);
    }

    /// <summary>
    /// Across a cluster, the request's limits to take in the same Redis call as its spend reservation
    /// (one round trip for both); null on a single node, or when no limit applies.
    /// </summary>
    public JoinedLimits? Join(CustomerEntry customer, KeyEntry key, long tokenEstimate)
    {
        if (!counters.Joinable) return null;
        var limits = Applicable(customer, key);
        return limits.Length == 0 ? null : new JoinedLimits(limits, tokenEstimate);
    }

    /// <summary>The hold of limits taken with a reservation: its true-up and release travel with the reservation's.</summary>
    public LimitHold Joined(string customerId, string holdId, JoinedLimits limits, LimitAdmission admission) =>
        new(counters, customerId, limits.Limits, holdId, limits.Estimate) { Joined = limits, Headers = admission.Readings };

    /// <summary>Which limit refused, as the 429 names it, with the readings for its headers.</summary>
    public static LimitRefusal Refusal(CountedLimit[] limits, LimitAdmission admission)
    {
        var limit = limits[admission.Refused];
        var what = limit.Kind switch { 'c' => "concurrent requests", 'r' => "requests per minute", _ => "tokens per minute" };
        return new LimitRefusal(limit.Scope, what, limit.Limit, admission.RetryAfter) { Readings = admission.Readings };
    }

    /// <summary>The per-minute limits of the tightest scope, for <c>/v1/account</c>: across a cluster they count every node's requests.</summary>
    public async ValueTask<IReadOnlyList<LimitReading>> ReadAsync(CustomerEntry customer, KeyEntry key)
    {
        var limits = Applicable(customer, key);
        var read = new List<CountedLimit>(2);
        if (limits.FirstOrDefault(l => l.Kind == 'r') is { Scope: not null } requests) read.Add(requests);
        if (limits.FirstOrDefault(l => l.Kind == 't') is { Scope: not null } tokens) read.Add(tokens);
        return read.Count == 0 ? [] : await counters.ReadAsync(customer.Id, [.. read]);
    }

    /// <summary>
    /// The customer scope's limits: those set on the customer, each one missing filled from the
    /// customer's spend tier (when tiers are on). A key's own limits apply on top, never instead.
    /// </summary>
    public RateLimits? CustomerLimits(CustomerEntry customer) =>
        tiers is { Enabled: true } ? tiers.CustomerLimits(customer, time.GetUtcNow()) : customer.Limits;

    /// <summary>
    /// Every limit that applies, in the order they are checked: places in flight, then requests, then
    /// tokens; within each, the key's own (tightest and most specific) before the customer's.
    /// </summary>
    private CountedLimit[] Applicable(CustomerEntry customer, KeyEntry key)
    {
        var scopes = new List<(string Scope, RateLimits Limits)>(2);
        if (key.Limits is { IsEmpty: false } keyLimits) scopes.Add(("key " + key.Id, keyLimits));
        if (CustomerLimits(customer) is { IsEmpty: false } customerLimits) scopes.Add(("customer " + customer.Id, customerLimits));
        if (scopes.Count == 0) return [];
        var limits = new List<CountedLimit>(scopes.Count * 3);
        foreach (var (scope, l) in scopes) if (l.Concurrency is { } cap) limits.Add(new CountedLimit(scope, 'c', cap));
        foreach (var (scope, l) in scopes) if (l.RequestsPerMinute is { } rpm) limits.Add(new CountedLimit(scope, 'r', rpm));
        foreach (var (scope, l) in scopes) if (l.TokensPerMinute is { } tpm) limits.Add(new CountedLimit(scope, 't', tpm));
        return [.. limits];
    }
}

/// <summary>
/// What one admitted request holds in the limits: a request counted, tokens estimated, a place in
/// flight. Ended exactly once: trued up when metered, left when the request ends.
/// </summary>
internal sealed class LimitHold(ILimitCounters counters, string customerId, CountedLimit[] limits, string holdId, long tokenEstimate)
{
    private int _settled;
    private int _closed;

    public IReadOnlyList<LimitReading> Headers { get; init; } = [];

    /// <summary>Limits taken with the request's spend reservation, which ends them; null otherwise.</summary>
    public JoinedLimits? Joined { get; init; }

    /// <summary>Trues the token estimate up to the metered use and leaves the in-flight places, in one step.</summary>
    public void Settle(long actualTokens)
    {
        if (Joined is { } joined)
        {
            // The reservation's settlement carries the true-up: no call of its own.
            joined.Metered(actualTokens);
            return;
        }
        if (limits.Length == 0 || Interlocked.Exchange(ref _settled, 1) != 0 || Interlocked.Exchange(ref _closed, 1) != 0) return;
        counters.Adjust(customerId, limits, holdId, tokenEstimate - actualTokens, leave: true);
    }

    /// <summary>Leaves the in-flight places; tokens never metered (the request failed) are given back.</summary>
    public void Release()
    {
        // Joined limits end with their reservation's settlement or release.
        if (Joined is not null || limits.Length == 0 || Interlocked.Exchange(ref _closed, 1) != 0) return;
        counters.Adjust(customerId, limits, holdId, Volatile.Read(ref _settled) == 0 ? tokenEstimate : 0, leave: true);
    }
}

internal sealed record LimitReading(string Name, long Limit, long Remaining, TimeSpan ResetsIn);

internal sealed record LimitRefusal(string Scope, string What, int Limit, TimeSpan RetryAfter)
{
    /// <summary>What the limits had left when the request was refused, for the <c>x-ratelimit-*</c> headers.</summary>
    public IReadOnlyList<LimitReading> Readings { get; init; } = [];
}
