using System.Collections.Concurrent;
using System.Collections.Frozen;

namespace Tollgate.Gates;

/// <summary>
/// Each customer's charged spend per UTC day on models that are not gated, and what each has paid
/// (payments and purchased grants), in memory for the gate check. Storage replaces it whole once a
/// minute (so usage from every node counts); this node's settlements add to it in between, so a
/// customer crossing a threshold qualifies on the next request.
/// </summary>
internal sealed class GateSpend
{
    /// <summary>The longest trailing window a rule may name; older days are dropped.</summary>
    public const int KeptDays = 366;

    private ConcurrentDictionary<string, Days> _days = new(StringComparer.Ordinal);
    private FrozenDictionary<string, decimal> _paid = FrozenDictionary<string, decimal>.Empty;

    public void Add(string customerId, DateTimeOffset at, decimal charged)
    {
        if (charged <= 0) return;
        _days.GetOrAdd(customerId, static _ => new Days()).Add(DateOnly.FromDateTime(at.UtcDateTime), charged);
    }

    /// <summary>Charged spend on non-gated models over the <paramref name="days"/> UTC days ending today.</summary>
    public decimal Spent(string customerId, DateTimeOffset now, int days) =>
        _days.TryGetValue(customerId, out var kept) ? kept.Since(DateOnly.FromDateTime(now.UtcDateTime).AddDays(1 - days)) : 0m;

    /// <summary>Payments plus purchased grants; promotional credit is not paid.</summary>
    public decimal Paid(string customerId) => _paid.GetValueOrDefault(customerId);

    public void Replace(IEnumerable<(string CustomerId, DateOnly Day, decimal Charged)> spend, IReadOnlyDictionary<string, decimal> paid)
    {
        var days = new ConcurrentDictionary<string, Days>(StringComparer.Ordinal);
        foreach (var (customer, day, charged) in spend) days.GetOrAdd(customer, static _ => new Days()).Add(day, charged);
        Volatile.Write(ref _days, days);
        Volatile.Write(ref _paid, paid.ToFrozenDictionary(StringComparer.Ordinal));
    }

    private sealed class Days
    {
        private readonly Lock _lock = new();
        private readonly Dictionary<DateOnly, decimal> _amounts = [];

        public void Add(DateOnly day, decimal amount)
        {
            lock (_lock)
            {
                _amounts[day] = _amounts.GetValueOrDefault(day) + amount;
                if (_amounts.Count > KeptDays + 1)
                {
                    var oldest = day.AddDays(-KeptDays);
                    foreach (var old in _amounts.Keys.Where(d => d < oldest).ToList()) _amounts.Remove(old);
                }
            }
        }

        public decimal Since(DateOnly first)
        {
            lock (_lock)
            {
                var sum = 0m;
                foreach (var (day, amount) in _amounts)
                {
                    if (day >= first) sum += amount;
                }
                return sum;
            }
        }
    }
}
