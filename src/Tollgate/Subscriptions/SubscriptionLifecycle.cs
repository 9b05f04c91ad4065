using Tollgate.Billing;
using Tollgate.Billing.Catalog;
using Tollgate.Billing.Invoices;
using Tollgate.Billing.Subscriptions;
using Tollgate.Budgets;
using Tollgate.Catalog;
using Tollgate.Hosting;
using Tollgate.Security;
using Tollgate.Storage;

namespace Tollgate.Subscriptions;

/// <summary>
/// Start (optionally with a trial), renew each UTC month, upgrade at once with a prorated charge,
/// downgrade and cancel at period end, and <c>past_due</c> when a prepaid renewal cannot be paid.
/// Fees are ledger entries (from the wallet, or on the invoice); each has a reference that makes
/// it happen once. Every change reloads the snapshot the gateway reads.
/// </summary>
internal sealed partial class SubscriptionLifecycle(
    ISubscriptionStore store, CatalogState catalog, CatalogRefresher refresher, Accounts accounts, TimeProvider time, ILogger<SubscriptionLifecycle> logger) : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>Thrown for a change the subscription's state does not allow (a 409 for the admin API).</summary>
    internal sealed class RefusedException(string message, string code) : Exception(message)
    {
        public string Code { get; } = code;
    }

    public async Task<SubscriptionEntry> StartAsync(CustomerEntry customer, Plan plan, int trialDays, string actor, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (catalog.Current.Subscriptions.ContainsKey(customer.Id))
                throw new RefusedException($"Customer {customer.Id} already has a live subscription; change its plan instead.", "subscription_exists");
            var now = Now();
            var period = BillingPeriod.Of(now);
            var trialEnd = trialDays > 0 ? now.AddDays(trialDays) : (DateTimeOffset?)null;
            var id = RandomText.Id("sub_");
            SubscriptionFee? fee = null;
            var status = SubscriptionStatus.Trialing;
            if (trialEnd is null)
            {
                // The first month is charged for the seconds left in it.
                fee = Fee(id, plan, Proration.RestOfMonth(plan.MonthlyPrice, now), period, "first month, prorated");
                RequireFunds(customer, fee.Amount);
                status = SubscriptionStatus.Active;
            }
            var entry = new SubscriptionEntry(id, customer.Id, plan, status, now, period.End, trialEnd, false, null, now);
            await SaveAsync(entry, fee, actor, "subscription.start", null, cancellationToken);
            return entry;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>A dearer plan applies now with the price difference prorated over the seconds left; a cheaper one at period end.</summary>
    public async Task<SubscriptionEntry> ChangePlanAsync(CustomerEntry customer, Plan plan, string actor, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var current = Live(customer.Id);
            if (current.Plan.Id == plan.Id && current.NextPlanId is null)
                throw new RefusedException($"The subscription is already on plan {plan.Id}.", "same_plan");
            var now = Now();
            SubscriptionEntry changed;
            SubscriptionFee? fee = null;
            if (plan.MonthlyPrice > current.Plan.MonthlyPrice)
            {
                if (current.Status != SubscriptionStatus.Trialing)
                {
                    // Over the calendar month, as the first fee was: in the first month the subscription's own period starts later.
                    var difference = Proration.Upgrade(current.Plan.MonthlyPrice, plan.MonthlyPrice, now, BillingPeriod.Of(current.PeriodStart));
                    fee = new SubscriptionFee(difference, $"{current.Id}:upgrade:{UnixTime.ToStored(now)}",
                        $"Upgrade {current.Plan.Id} → {plan.Id}, prorated to {current.PeriodEnd:yyyy-MM-dd}");
                    RequireFunds(customer, difference);
                }
                changed = current with { Plan = plan, NextPlanId = null };
            }
            else
            {
                changed = current with { NextPlanId = plan.Id == current.Plan.Id ? null : plan.Id };
            }
            await SaveAsync(changed, fee, actor, "subscription.change_plan", current, cancellationToken);
            return changed;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task<SubscriptionEntry> SetCancelAtPeriodEndAsync(CustomerEntry customer, bool cancel, string actor, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var current = Live(customer.Id);
            var changed = current with { CancelAtPeriodEnd = cancel };
            await SaveAsync(changed, null, actor, cancel ? "subscription.cancel" : "subscription.resume", current, cancellationToken);
            return changed;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Ends trials, renews subscriptions whose period ended (applying a scheduled downgrade or
    /// cancellation), and retries past-due renewals. Idempotent: safe on every tick.
    /// </summary>
    public async Task<int> RenewDueAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var changes = 0;
            foreach (var subscription in catalog.Current.Subscriptions.Values.OrderBy(s => s.Id, StringComparer.Ordinal))
            {
                if (await RenewAsync(subscription, cancellationToken)) changes++;
            }
            return changes;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<bool> RenewAsync(SubscriptionEntry subscription, CancellationToken cancellationToken)
    {
        var now = Now();
        var customer = catalog.Current.Customers.GetValueOrDefault(subscription.CustomerId);
        if (customer is null) return false;
        if (now >= subscription.PeriodEnd)
        {
            if (subscription.CancelAtPeriodEnd)
            {
                await SaveAsync(subscription with { Status = SubscriptionStatus.Canceled }, null, "system:renewal", "subscription.canceled", subscription,
                    cancellationToken);
                return true;
            }
            // Periods that passed while the node was down are renewed one at a time, each with its own fee.
            var period = BillingPeriod.Of(subscription.PeriodEnd);
            var plan = subscription.NextPlanId is { } next && catalog.Current.Plans.TryGetValue(next, out var nextPlan) ? nextPlan : subscription.Plan;
            var renewed = subscription with { Plan = plan, NextPlanId = null, PeriodStart = period.Start, PeriodEnd = period.End };
            var trialing = subscription.TrialEnd is { } trialEnd && trialEnd > period.Start;
            if (trialing)
            {
                await SaveAsync(renewed, null, "system:renewal", "subscription.renew", subscription, cancellationToken);
                return true;
            }
            var fee = Fee(subscription.Id, plan, plan.MonthlyPrice, period, "monthly renewal");
            return await ChargeAsync(customer, renewed, fee, subscription, cancellationToken);
        }
        if (subscription.Status == SubscriptionStatus.Trialing && subscription.TrialEnd is { } end && now >= end)
        {
            var period = BillingPeriod.Of(end);
            var fee = Fee(subscription.Id, subscription.Plan, Proration.RestOfMonth(subscription.Plan.MonthlyPrice, end), period, "after trial, prorated");
            return await ChargeAsync(customer, subscription, fee, subscription, cancellationToken);
        }
        if (subscription.Status == SubscriptionStatus.PastDue)
        {
            var period = BillingPeriod.Of(subscription.PeriodStart);
            var fee = Fee(subscription.Id, subscription.Plan, subscription.Plan.MonthlyPrice, period, "monthly renewal");
            if (await store.FeeChargedAsync(fee.Reference, cancellationToken)) return false;
            return await ChargeAsync(customer, subscription, fee, subscription, cancellationToken, retry: true);
        }
        return false;
    }

    /// <summary>Charges the fee and activates, or (prepaid, wallet short) marks the subscription past due without charging.</summary>
    private async Task<bool> ChargeAsync(CustomerEntry customer, SubscriptionEntry next, SubscriptionFee fee, SubscriptionEntry before,
        CancellationToken cancellationToken, bool retry = false)
    {
        if (!CanPay(customer, fee.Amount))
        {
            if (retry) return false;
            await SaveAsync(next with { Status = SubscriptionStatus.PastDue }, null, "system:renewal", "subscription.past_due", before, cancellationToken);
            LogPastDue(logger, next.Id, customer.Id, fee.Amount);
            return true;
        }
        await SaveAsync(next with { Status = SubscriptionStatus.Active }, fee, "system:renewal", "subscription.renew", before, cancellationToken);
        return true;
    }

    private async Task SaveAsync(SubscriptionEntry entry, SubscriptionFee? fee, string actor, string action, SubscriptionEntry? before,
        CancellationToken cancellationToken)
    {
        var now = Now();
        await store.SaveAsync(entry, fee, new AuditEntry(actor, action, "subscription", entry.Id, before is null ? null : SubscriptionAudit.Json(before),
            SubscriptionAudit.Json(entry, fee), now), cancellationToken);
        if (fee is not null) accounts.AdjustFunds(entry.CustomerId, -fee.Amount, now);
        await refresher.ReloadAsync(cancellationToken);
    }

    private SubscriptionEntry Live(string customerId) =>
        catalog.Current.Subscriptions.GetValueOrDefault(customerId)
        ?? throw new RefusedException($"Customer {customerId} has no live subscription.", "no_subscription");

    private static SubscriptionFee Fee(string subscriptionId, Plan plan, decimal amount, BillingPeriod period, string what) =>
        new(amount, $"{subscriptionId}:{period}", $"{plan.Name} ({plan.Id}) {period}: {what}");

    /// <summary>A prepaid wallet must hold the fee; a postpaid customer is invoiced (within its credit limit, if any).</summary>
    private bool CanPay(CustomerEntry customer, decimal amount) =>
        amount <= 0 || accounts.Wallet(customer) is not { } wallet || wallet.View(Now()).Available >= amount;

    private void RequireFunds(CustomerEntry customer, decimal amount)
    {
        if (!CanPay(customer, amount))
            throw new RefusedException(
                $"The customer's {(customer.BillingMode == BillingMode.Prepaid ? "wallet" : "credit limit")} cannot cover the fee of ${Money.Format(amount)}.",
                "insufficient_funds");
    }

    public void Dispose() => _gate.Dispose();

    private DateTimeOffset Now() => time.UtcNowStored();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Subscription {SubscriptionId} of customer {CustomerId} is past due: the wallet cannot pay {Fee} USD")]
    private static partial void LogPastDue(ILogger logger, string subscriptionId, string customerId, decimal fee);
}
