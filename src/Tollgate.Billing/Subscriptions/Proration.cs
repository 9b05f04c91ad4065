using Tollgate.Billing.Invoices;

namespace Tollgate.Billing.Subscriptions;

/// <summary>
/// Proration is by seconds of the period (UTC calendar months). A first fee, a fee after a trial and
/// the price of an upgrade all prorate over the same calendar billing month, so "plan A, then an
/// upgrade to B" never costs more than "plan B from the start".
/// </summary>
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

    /// <summary>A monthly price for the rest of the calendar month that holds <paramref name="at"/>: the first fee, or the fee after a trial.</summary>
    public static decimal RestOfMonth(decimal monthlyPrice, DateTimeOffset at)
    {
        var period = BillingPeriod.Of(at);
        return Remainder(monthlyPrice, at, period.Start, period.End);
    }

    /// <summary>
    /// What moving from <paramref name="fromPrice"/> to a dearer <paramref name="toPrice"/> at <paramref name="at"/> costs in the
    /// billing month <paramref name="paid"/> (the month the current fee paid for): the new plan's rest of that month less the
    /// old one's, each as a first fee would be computed then. Nothing once that month is over: the renewal bills the next.
    /// </summary>
    public static decimal Upgrade(decimal fromPrice, decimal toPrice, DateTimeOffset at, BillingPeriod paid) =>
        Math.Max(Remainder(toPrice, at, paid.Start, paid.End) - Remainder(fromPrice, at, paid.Start, paid.End), 0m);
}
