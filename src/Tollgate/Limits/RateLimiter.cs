using System.Collections.Concurrent;
using Tollgate.Catalog;

namespace Tollgate.Limits;

/// <summary>
/// Requests per minute, tokens per minute and requests in flight, per key and per customer, in
/// memory. Tokens are taken at admission as an estimate (the input's size in bytes over four, plus
/// the output cap for every choice, as OpenAI counts) and trued up to the metered use at settlement.
/// </summary>
internal sealed class RateLimiter(TimeProvider time, Budgets.Tiers? tiers = null, ISharedLimits? shared = null)
{
    private readonly ConcurrentDictionary<string, TokenBucket> _requests = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TokenBucket> _tokens = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ConcurrencyGate> _gates = new(StringComparer.Ordinal);

    /// <summary>Admits the request against every limit that applies, or refuses it having taken nothing.</summary>
    public LimitHold? TryAdmit(CustomerEntry customer, KeyEntry key, long tokenEstimate, out LimitRefusal? refusal)
    {
        refusal = null;
        var now = time.GetTimestamp();
        var scopes = Scopes(customer, key, CustomerLimits(customer));
        var hold = new LimitHold(this, now, tokenEstimate);
        foreach (var (scope, limits) in scopes)
        {
            if (limits.Concurrency is { } cap)
            {
                var gate = _gates.GetOrAdd(scope, _ => new ConcurrencyGate(cap));
                gate.Limit = cap;
                if (!gate.TryEnter()) return Refuse(hold, scope, "concurrent requests", cap, TimeSpan.FromSeconds(1), out refusal);
                hold.Gates.Add(gate);
            }
        }
        foreach (var (scope, limits) in scopes)
        {
            if (limits.RequestsPerMinute is not { } rpm) continue;
            var bucket = Bucket(_requests, scope, rpm, now);
            if (!bucket.TryTake(1, now, time, out var wait)) return Refuse(hold, scope, "requests per minute", rpm, wait, out refusal);
            hold.Requests.Add(bucket);
        }
        foreach (var (scope, limits) in scopes)
        {
            if (limits.TokensPerMinute is not { } tpm) continue;
            var bucket = Bucket(_tokens, scope, tpm, now);
            if (!bucket.TryTake(tokenEstimate, now, time, out var wait)) return Refuse(hold, scope, "tokens per minute", tpm, wait, out refusal);
            hold.Tokens.Add(bucket);
        }
        hold.Headers = Headers(scopes, now);
        return hold;
    }

    /// <summary>As <see cref="TryAdmit"/>; across a cluster, one Redis call over every limit that applies.</summary>
    public async ValueTask<(LimitHold? Hold, LimitRefusal? Refusal)> TryAdmitAsync(CustomerEntry customer, KeyEntry key, long tokenEstimate, string holdId)
    {
        if (shared is null) return (TryAdmit(customer, key, tokenEstimate, out var refused), refused);
        var limits = SharedLimits(customer, key);
        if (limits.Length == 0) return (new LimitHold(this, time.GetTimestamp(), tokenEstimate), null);
        var admission = await shared.AdmitAsync(customer.Id, limits, holdId, tokenEstimate);
        if (admission.Refused >= 0) return (null, Refusal(limits, admission));
        var hold = new LimitHold(this, time.GetTimestamp(), tokenEstimate) { Shared = new SharedLimitHold(shared, customer.Id, limits, holdId) };
        hold.Headers = admission.Readings;
        return (hold, null);
    }

    /// <summary>
    /// Across a cluster, the request's limits to take in the same Redis call as its spend reservation
    /// (one round trip for both); null on a single node, or when no limit applies.
    /// </summary>
    public JoinedLimits? Join(CustomerEntry customer, KeyEntry key, long tokenEstimate)
    {
        if (shared is null) return null;
        var limits = SharedLimits(customer, key);
        return limits.Length == 0 ? null : new JoinedLimits(limits, tokenEstimate);
    }

    /// <summary>The hold of limits taken with a reservation: its true-up and release travel with the reservation's.</summary>
    public LimitHold Joined(JoinedLimits limits, SharedAdmission admission) =>
        new(this, time.GetTimestamp(), limits.Estimate) { Joined = limits, Headers = admission.Readings };

    /// <summary>Which limit refused, as the 429 names it.</summary>
    public static LimitRefusal Refusal(SharedLimit[] limits, SharedAdmission admission)
    {
        var limit = limits[admission.Refused];
        var what = limit.Kind switch { 'c' => "concurrent requests", 'r' => "requests per minute", _ => "tokens per minute" };
        return new LimitRefusal(limit.Scope, what, limit.Limit, admission.RetryAfter);
    }

    /// <summary>Every limit that applies, in the order they are checked: places in flight, then requests, then tokens.</summary>
    private SharedLimit[] SharedLimits(CustomerEntry customer, KeyEntry key)
    {
        var scopes = Scopes(customer, key, CustomerLimits(customer));
        var limits = new List<SharedLimit>(scopes.Count * 3);
        foreach (var (scope, l) in scopes) if (l.Concurrency is { } cap) limits.Add(new SharedLimit(scope, 'c', cap));
        foreach (var (scope, l) in scopes) if (l.RequestsPerMinute is { } rpm) limits.Add(new SharedLimit(scope, 'r', rpm));
        foreach (var (scope, l) in scopes) if (l.TokensPerMinute is { } tpm) limits.Add(new SharedLimit(scope, 't', tpm));
        return [.. limits];
    }

    /// <summary>The limits of the tightest scope, for OpenAI's <c>x-ratelimit-*</c> headers and <c>/v1/account</c>.</summary>
    public IReadOnlyList<LimitReading> Read(CustomerEntry customer, KeyEntry key) => Headers(Scopes(customer, key, CustomerLimits(customer)), time.GetTimestamp());

    /// <summary>As <see cref="Read"/>; across a cluster from the shared buckets, which count every node's requests.</summary>
    public async ValueTask<IReadOnlyList<LimitReading>> ReadAsync(CustomerEntry customer, KeyEntry key)
    {
        if (shared is null) return Read(customer, key);
        var scopes = Scopes(customer, key, CustomerLimits(customer));
        var limits = new List<SharedLimit>(2);
        if (scopes.FirstOrDefault(s => s.Limits.RequestsPerMinute is not null) is { Scope: not null } rpm) limits.Add(new SharedLimit(rpm.Scope, 'r', rpm.Limits.RequestsPerMinute!.Value));
        if (scopes.FirstOrDefault(s => s.Limits.TokensPerMinute is not null) is { Scope: not null } tpm) limits.Add(new SharedLimit(tpm.Scope, 't', tpm.Limits.TokensPerMinute!.Value));
        return await shared.ReadAsync(customer.Id, [.. limits]);
    }

    /// <summary>
    /// The customer scope's limits: those set on the customer, each one missing filled from the
    /// customer's spend tier (when tiers are on). A key's own limits apply on top, never instead.
    /// </summary>
    public RateLimits? CustomerLimits(CustomerEntry customer) =>
        tiers is { Enabled: true } ? tiers.CustomerLimits(customer, time.GetUtcNow()) : customer.Limits;

    private List<LimitReading> Headers(List<(string Scope, RateLimits Limits)> scopes, long now)
    {
        var readings = new List<LimitReading>(2);
        var rpm = scopes.FirstOrDefault(s => s.Limits.RequestsPerMinute is not null);
        if (rpm.Scope is not null && _requests.TryGetValue(rpm.Scope, out var requests))
        {
            var (remaining, resets) = requests.Read(now, time);
            readings.Add(new LimitReading("requests", requests.Limit, remaining, resets));
        }
        var tpm = scopes.FirstOrDefault(s => s.Limits.TokensPerMinute is not null);
        if (tpm.Scope is not null && _tokens.TryGetValue(tpm.Scope, out var tokens))
        {
            var (remaining, resets) = tokens.Read(now, time);
            readings.Add(new LimitReading("tokens", tokens.Limit, remaining, resets));
        }
        return readings;
    }

    /// <summary>The key's own limits first (tightest and most specific), then the customer's.</summary>
    private static List<(string Scope, RateLimits Limits)> Scopes(CustomerEntry customer, KeyEntry key, RateLimits? customerLimits)
    {
        var scopes = new List<(string, RateLimits)>(2);
        if (key.Limits is { IsEmpty: false } keyLimits) scopes.Add(("key " + key.Id, keyLimits));
        if (customerLimits is { IsEmpty: false }) scopes.Add(("customer " + customer.Id, customerLimits));
        return scopes;
    }

    private static TokenBucket Bucket(ConcurrentDictionary<string, TokenBucket> buckets, string scope, int limit, long now)
    {
        var bucket = buckets.GetOrAdd(scope, _ => new TokenBucket(limit, now));
        if (bucket.Limit != limit) bucket.SetLimit(limit);
        return bucket;
    }

    private static LimitHold? Refuse(LimitHold hold, string scope, string what, int limit, TimeSpan wait, out LimitRefusal refusal)
    {
        hold.Undo();
        refusal = new LimitRefusal(scope, what, limit, wait);
        return null;
    }

    internal TimeProvider Time => time;
}

/// <summary>What one admitted request holds: requests taken, tokens estimated, a place in flight.</summary>
internal sealed class LimitHold(RateLimiter owner, long admittedAt, long tokenEstimate)
{
    private int _closed;

    public List<ConcurrencyGate> Gates { get; } = new(2);
    public List<TokenBucket> Requests { get; } = new(2);
    public List<TokenBucket> Tokens { get; } = new(2);
    public IReadOnlyList<LimitReading> Headers { get; set; } = [];

    /// <summary>The limits taken in the cluster's shared counters; null when this node counts in memory.</summary>
    public SharedLimitHold? Shared { get; init; }

    /// <summary>Limits taken with the request's spend reservation, which ends them; null otherwise.</summary>
    public JoinedLimits? Joined { get; init; }

    private int _settled;

    /// <summary>Trues the token estimate up to the metered use; in the shared counters it leaves the in-flight sets in the same call.</summary>
    public void Settle(long actualTokens)
    {
        if (Joined is { } joined)
        {
            // The reservation's settlement carries the true-up: no call of its own.
            joined.Metered(actualTokens);
            return;
        }
        if (Shared is { } shared)
        {
            // One Redis call ends the request's part in the limits: the release that follows has nothing left to do.
            if (Interlocked.Exchange(ref _settled, 1) == 0 && Interlocked.Exchange(ref _closed, 1) == 0)
                shared.Counters.Adjust(shared.CustomerId, shared.Limits, shared.HoldId, tokenEstimate - actualTokens, leave: true);
            return;
        }
        var now = owner.Time.GetTimestamp();
        foreach (var bucket in Tokens) bucket.Adjust(tokenEstimate - actualTokens, now, owner.Time);
        Tokens.Clear();
    }

    /// <summary>Leaves the in-flight count; tokens never metered (the request failed) are given back.</summary>
    public void Release()
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0) return;
        // Joined limits end with their reservation's settlement or release.
        if (Joined is not null) return;
        if (Shared is { } shared)
        {
            shared.Counters.Adjust(shared.CustomerId, shared.Limits, shared.HoldId, Volatile.Read(ref _settled) == 0 ? tokenEstimate : 0, leave: true);
            return;
        }
        foreach (var gate in Gates) gate.Exit();
        var now = owner.Time.GetTimestamp();
        foreach (var bucket in Tokens) bucket.Adjust(tokenEstimate, now, owner.Time);
    }

    /// <summary>Refused part-way: give back everything taken so far.</summary>
    internal void Undo()
    {
        foreach (var bucket in Requests) bucket.Adjust(1, admittedAt, owner.Time);
        Release();
    }
}

/// <summary>What one request holds in the shared limits.</summary>
internal sealed record SharedLimitHold(ISharedLimits Counters, string CustomerId, SharedLimit[] Limits, string HoldId);

internal sealed record LimitReading(string Name, long Limit, long Remaining, TimeSpan ResetsIn);

internal sealed record LimitRefusal(string Scope, string What, int Limit, TimeSpan RetryAfter);
