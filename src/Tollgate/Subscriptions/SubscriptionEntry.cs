using Tollgate.Billing.Subscriptions;

namespace Tollgate.Subscriptions;

/// <summary>A customer's live subscription as the data plane sees it (in the catalog snapshot).</summary>
internal sealed record SubscriptionEntry(
    string Id,
    string CustomerId,
    Plan Plan,
    SubscriptionStatus Status,
    DateTimeOffset PeriodStart,
    DateTimeOffset PeriodEnd,
    DateTimeOffset? TrialEnd,
    bool CancelAtPeriodEnd,
    string? NextPlanId,
    DateTimeOffset CreatedAt)
{
    /// <summary>Included usage is served while trialing or active; a past-due subscription gets none until paid.</summary>
    public bool IncludesUsage => Status is SubscriptionStatus.Trialing or SubscriptionStatus.Active;
}
