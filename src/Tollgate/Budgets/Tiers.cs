using System.Collections.Concurrent;
using Tollgate.Catalog;
using Tollgate.Limits;

namespace Tollgate.Budgets;

/// <summary>
/// Every customer's tier standing, in memory. Paid totals (payments and purchased grants) and
/// operator overrides are loaded from storage and kept current by whoever changes them; the
/// standing is recomputed when they change and, lazily on the next request, once the clock
/// passes the moment account age would promote. The request path reads a cached standing: no
/// database, no allocation.
/// </summary>
internal sealed class Tiers(IReadOnlyList<TierLevel> table, bool enabled = true)
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    public IReadOnlyList<TierLevel> Table => table;

    /// <summary>Off (<c>Tiers:Enabled=false</c>): no tier limits or caps apply, and no standing is shown.</summary>
    public bool Enabled => enabled;

    /// <summary>The customer's standing now; recomputed only when stale.</summary>
    public TierStanding Standing(CustomerEntry customer, DateTimeOffset now)
    {
        var entry = _entries.GetOrAdd(customer.Id, static _ => new Entry());
        var standing = entry.Standing;
        if (standing is not null && now < standing.ReviewAt && standing.CustomerCreatedAt == customer.CreatedAt) return standing;
        return entry.Recompute(table, customer.CreatedAt, now);
    }

    /// <summary>
    /// The customer scope's rate limits: each limit the customer was given explicitly, else the
    /// tier's. Cached per standing and explicit limits, so a request allocates nothing.
    /// </summary>
    public RateLimits? CustomerLimits(CustomerEntry customer, DateTimeOffset now)
    {
        var standing = Standing(customer, now);
        var entry = _entries.GetOrAdd(customer.Id, static _ => new Entry());
        return entry.Merged(customer.Limits, standing);
    }

    /// <summary>Replaces every customer's paid total with what storage holds now.</summary>
    public void SetPaid(IReadOnlyDictionary<string, decimal> paid)
    {
        foreach (var (customerId, amount) in paid) _entries.GetOrAdd(customerId, static _ => new Entry()).SetPaid(amount);
        foreach (var (customerId, entry) in _entries)
        {
            if (!paid.ContainsKey(customerId)) entry.SetPaid(0m);
        }
    }

    public void SetOverrides(IReadOnlyDictionary<string, int> overrides)
    {
        foreach (var (customerId, level) in overrides) SetOverride(customerId, level);
        foreach (var (customerId, entry) in _entries)
        {
            if (!overrides.ContainsKey(customerId)) entry.SetOverride(null);
        }
    }

    public void SetOverride(string customerId, int? level) => _entries.GetOrAdd(customerId, static _ => new Entry()).SetOverride(level);

    /// <summary>One customer's inputs and their cached standing; inputs change under a lock, readers take the standing lock-free.</summary>
    private sealed class Entry
    {
        private readonly Lock _lock = new();
        private decimal _paid;
        private int? _override;
        private TierStanding? _standing;
        private Merge? _merged;

        public TierStanding? Standing => Volatile.Read(ref _standing);

        public TierStanding Recompute(IReadOnlyList<TierLevel> table, DateTimeOffset createdAt, DateTimeOffset now)
        {
            lock (_lock)
            {
                var standing = TierStanding.Compute(table, _paid, createdAt, _override, now);
                // Keep the same instance when nothing moved, so caches keyed on it stay valid.
                if (_standing is { } old && old.Level == standing.Level && old.Paid == standing.Paid && old.Overridden == standing.Overridden
                    && old.ReviewAt == standing.ReviewAt && old.CustomerCreatedAt == standing.CustomerCreatedAt) return old;
                Volatile.Write(ref _standing, standing);
                return standing;
            }
        }

        public RateLimits? Merged(RateLimits? explicitLimits, TierStanding standing)
        {
            if (Volatile.Read(ref _merged) is { } cached && ReferenceEquals(cached.Explicit, explicitLimits) && ReferenceEquals(cached.Standing, standing))
                return cached.Result;
            var tier = standing.Limits;
            RateLimits? result = explicitLimits is null || explicitLimits.IsEmpty
                ? tier
                : tier is null
                    ? explicitLimits
                    : explicitLimits with
                    {
                        RequestsPerMinute = explicitLimits.RequestsPerMinute ?? tier.RequestsPerMinute,
                        TokensPerMinute = explicitLimits.TokensPerMinute ?? tier.TokensPerMinute,
                    };
            Volatile.Write(ref _merged, new Merge(explicitLimits, standing, result));
            return result;
        }

        private sealed record Merge(RateLimits? Explicit, TierStanding Standing, RateLimits? Result);

        public void SetPaid(decimal paid)
        {
            lock (_lock)
            {
                if (_paid == paid) return;
                _paid = paid;
                Volatile.Write(ref _standing, null);
            }
        }

        public void SetOverride(int? level)
        {
            lock (_lock)
            {
                if (_override == level) return;
                _override = level;
                Volatile.Write(ref _standing, null);
            }
        }
    }
}
