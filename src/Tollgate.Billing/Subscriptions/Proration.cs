namespace Tollgate.Billing.Subscriptions;

/// <summary>Proration is by seconds of the period (UTC calendar months).</summary>
public static class Proration
{
    /// <summary><paramref name="amount"/> × the share of [<paramref name="periodStart"/>, <paramref name="periodEnd"/>) that [<paramref name="from"/>, <paramref name="periodEnd"/>) covers.</summary>
    public static decimal Remainder(decimal amount, DateTimeOffset from, DateTimeOffset periodStart, DateTimeOffset periodEnd)
    {
        if (periodEnd <= periodStart) throw new ArgumentException("The period must end after it starts.", nameof(periodEnd));
        var clamped = from < periodStart ? periodStart : from > periodEnd ? periodEnd : from;
        var remaining = (long)(periodEnd - clamped).TotalSeconds;
        var total = (long)(periodEnd - periodStart).TotalSeconds;
        // Ten decimals keep the ledger exact to far below a cent without decimal division noise.
        return Math.Round(amount * remaining / total, 10, MidpointRounding.AwayFromZero);
    }
}
