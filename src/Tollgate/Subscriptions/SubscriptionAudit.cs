using Tollgate.Billing;
using Tollgate.Storage;

namespace Tollgate.Subscriptions;

/// <summary>A subscription's state (and the fee charged with a change) for the audit log.</summary>
internal static class SubscriptionAudit
{
    public static string Json(SubscriptionEntry s, SubscriptionFee? fee = null) => InvoiceAudit.Write(w =>
    {
        w.WriteString("plan_id", s.Plan.Id);
        w.WriteString("status", StoredNames.Of(s.Status));
        w.WriteString("period_start", s.PeriodStart);
        w.WriteString("period_end", s.PeriodEnd);
        if (s.TrialEnd is { } trial) w.WriteString("trial_end", trial);
        w.WriteBoolean("cancel_at_period_end", s.CancelAtPeriodEnd);
        if (s.NextPlanId is { } next) w.WriteString("next_plan_id", next);
        if (fee is not null)
        {
            w.WriteString("fee", Money.Format(fee.Amount));
            w.WriteString("fee_reference", fee.Reference);
        }
    });
}
