using Tollgate.Billing;

namespace Tollgate.Budgets;

/// <summary>
/// A standing as <c>/v1/account</c> and the admin API show it: the tier now, the one above and
/// what it asks. Under an override nothing promotes automatically, so there is no next tier.
/// </summary>
internal sealed record TierDocument(TierInfo Current, TierInfo? Next, TierRequirements? Requirements, bool Overridden)
{
    public static TierDocument From(TierStanding standing, DateTimeOffset now)
    {
        var next = standing.Overridden || standing.Next is null ? null : standing.Next;
        return new TierDocument(
            TierInfo.From(standing.Level, standing.Current),
            next is null ? null : TierInfo.From(standing.Level + 1, next),
            next is null ? null : new TierRequirements(Money.Format(next.MinPaid), next.MinAccountAgeDays, Money.Format(standing.Paid),
                AgeDays(standing.CustomerCreatedAt, now)),
            standing.Overridden);
    }

    /// <summary>Whole days since the account was created, as the age requirements count them.</summary>
    public static int AgeDays(DateTimeOffset createdAt, DateTimeOffset now) => Math.Max(0, (int)Math.Floor((now - createdAt).TotalDays));
}

/// <summary>One tier: its number (0 is the lowest), name, and what it grants; a null limit is none.</summary>
internal sealed record TierInfo(int Level, string Name, int? RequestsPerMinute, int? TokensPerMinute, string? MonthlySpendCap)
{
    public static TierInfo From(int level, TierLevel tier) =>
        new(level, tier.Name, tier.RequestsPerMinute, tier.TokensPerMinute, tier.MonthlySpendCap is { } cap ? Money.Format(cap) : null);
}

/// <summary>What the next tier asks (paid spend in dollars and account age in days) and where the customer is.</summary>
internal sealed record TierRequirements(string Paid, int AccountAgeDays, string PaidSoFar, int AccountAgeDaysSoFar);
