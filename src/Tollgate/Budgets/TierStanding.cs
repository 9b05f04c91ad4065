using Tollgate.Limits;

namespace Tollgate.Budgets;

/// <summary>
/// Where a customer stands in the tier table at one moment: the tier they are in, the one above,
/// and when the standing must be looked at again (the moment account age alone would promote
/// them). Immutable; replaced whole when paid spend, an override or time moves it.
/// </summary>
internal sealed record TierStanding(int Level, TierLevel Current, TierLevel? Next, decimal Paid, DateTimeOffset CustomerCreatedAt, bool Overridden,
    DateTimeOffset ReviewAt)
{
    /// <summary>The tier's rate limits as the customer scope's, without an allocation on the request path.</summary>
    public RateLimits? Limits { get; } = Current.RequestsPerMinute is null && Current.TokensPerMinute is null
        ? null
        : new RateLimits(Current.RequestsPerMinute, Current.TokensPerMinute);

    /// <summary>
    /// The highest tier whose paid spend and account age are both met (or the override), and when
    /// age alone will next lift it: the earliest age threshold of a higher tier whose paid spend is
    /// already met.
    /// </summary>
    public static TierStanding Compute(IReadOnlyList<TierLevel> table, decimal paid, DateTimeOffset createdAt, int? overrideLevel, DateTimeOffset now)
    {
        if (overrideLevel is { } forced)
        {
            var level = Math.Clamp(forced, 0, table.Count - 1);
            return new TierStanding(level, table[level], level + 1 < table.Count ? table[level + 1] : null, paid, createdAt, true, DateTimeOffset.MaxValue);
        }
        var current = 0;
        var reviewAt = DateTimeOffset.MaxValue;
        for (var i = 1; i < table.Count; i++)
        {
            if (paid < table[i].MinPaid) continue;
            var ageMetAt = createdAt.AddDays(table[i].MinAccountAgeDays);
            if (ageMetAt <= now) current = i;
            else if (ageMetAt < reviewAt) reviewAt = ageMetAt;
        }
        return new TierStanding(current, table[current], current + 1 < table.Count ? table[current + 1] : null, paid, createdAt, false, reviewAt);
    }
}
