namespace Tollgate.Billing.Invoices;

/// <summary>
/// Which months can still take a charge on a customer's invoice. A month is closed once its invoice
/// (or a later month's) is finalized, since a finalized invoice is never rebuilt; months before the
/// customer existed were never invoiced for them. Anything that bills by month (a contract's
/// commitment) must start in an open month, or it would never be billed.
/// </summary>
public static class OpenPeriods
{
    /// <summary>The customer's earliest month that a future invoice run can still bill.</summary>
    public static BillingPeriod Earliest(DateTimeOffset customerCreatedAt, BillingPeriod? lastFinalized)
    {
        var created = BillingPeriod.Of(customerCreatedAt);
        return lastFinalized is { } last && last.Next > created ? last.Next : created;
    }
}
