using Microsoft.Extensions.Options;
using Tollgate.Billing;
using Tollgate.Budgets;
using Tollgate.Storage;

namespace Tollgate.Webhooks;

/// <summary>
/// Turns budget spend into <c>budget.threshold</c> events: when a settlement takes a budget's
/// spend from below a threshold to at or above it, one event per threshold crossed. The check is
/// a few decimal comparisons on the request path; an event (rare) goes to the outbox's channel.
/// Its idempotency key — budget, period, threshold — makes it fire once per period, across
/// restarts and however many settlements race over the line.
/// </summary>
internal sealed class BudgetAlerts(WebhookOutbox outbox, IOptions<WebhookOptions> options) : IBudgetObserver
{
    private readonly decimal[] _thresholds = [.. options.Value.Thresholds];

    public void Spent(SpendAccount account, in BudgetSpend spend, DateTimeOffset at)
    {
        if (account.Owner is not { } owner || spend.Limit <= 0) return;
        for (var i = 0; i < _thresholds.Length; i++)
        {
            if (Crossed(_thresholds[i], spend)) outbox.Post(Event(owner, account.Period, spend, _thresholds[i], at));
        }
    }

    /// <summary>Spend went from below <paramref name="percent"/> of the limit to at or above it (compared ×100, so nothing is divided).</summary>
    public static bool Crossed(decimal percent, in BudgetSpend spend)
    {
        var mark = spend.Limit * percent;
        return spend.Before * 100m < mark && spend.After * 100m >= mark;
    }

    private static WebhookEvent Event(BudgetOwner owner, BudgetPeriod period, BudgetSpend spend, decimal percent, DateTimeOffset at)
    {
        var monthly = period == BudgetPeriod.Monthly;
        var periodName = StoredNames.Of(period);
        var periodKey = monthly ? spend.PeriodStart.ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture) : periodName;
        var data = new BudgetThresholdData(owner.Scope, owner.CustomerId, owner.KeyId, periodName,
            monthly ? spend.PeriodStart : null, monthly ? BudgetPeriods.NextMonth(spend.PeriodStart) : null,
            percent, Money.Format(spend.Limit), Money.Format(spend.After), at);
        return WebhookEvent.Create(WebhookEventTypes.BudgetThreshold, data, WebhookJson.Default.BudgetThresholdData, at,
            $"{WebhookEventTypes.BudgetThreshold}:{owner.Scope}:{owner.Id}:{periodKey}:{Money.Format(percent)}");
    }
}
