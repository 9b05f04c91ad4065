namespace Tollgate.Billing.Subscriptions;

/// <summary>Stored by name (frozen by a test).</summary>
public enum SubscriptionStatus
{
    Trialing,
    Active,

    /// <summary>A prepaid renewal could not be paid: no included usage until it is; metered use still possible if the wallet allows.</summary>
    PastDue,
    Canceled,
}
