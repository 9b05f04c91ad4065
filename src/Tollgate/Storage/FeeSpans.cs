using Tollgate.Billing.Invoices;

namespace Tollgate.Storage;

/// <summary>
/// The time a subscription fee pays for, from its ledger reference: <c>{subscription}:{YYYY-MM}</c>
/// pays for that month from when it was charged (a first month or a month after a trial is prorated
/// from then; a renewal is charged as the month starts), and any other fee (an upgrade) for the rest
/// of the month it was charged in.
/// </summary>
internal static class FeeSpans
{
    public static (DateTimeOffset Start, DateTimeOffset End) Of(string reference, DateTimeOffset chargedAt)
    {
        var colon = reference.LastIndexOf(':');
        var period = colon >= 0 && BillingPeriod.TryParse(reference[(colon + 1)..], out var named) ? named : BillingPeriod.Of(chargedAt);
        // Charged after its month ended (the node was down): it still paid for that month.
        var start = chargedAt < period.Start || chargedAt >= period.End ? period.Start : chargedAt;
        return (start, period.End);
    }

    /// <summary>The subscription a fee reference names.</summary>
    public static string SubscriptionOf(string reference)
    {
        var colon = reference.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 ? reference : reference[..colon];
    }
}
