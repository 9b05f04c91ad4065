using Tollgate.Billing.Subscriptions;
using Tollgate.Subscriptions;

namespace Tollgate.Storage;

/// <summary>A subscription fee to write with a change: its ledger reference makes it happen once.</summary>
internal sealed record SubscriptionFee(decimal Amount, string Reference, string Note);

/// <summary>Plans and subscriptions; every change is audited and bumps the catalog version.</summary>
internal interface ISubscriptionStore
{
    Task PutPlanAsync(Plan plan, AuditEntry audit, CancellationToken cancellationToken = default);

    /// <summary>Writes the subscription as it now is (insert or update), with its fee, if any, as a ledger entry, in one transaction.</summary>
    Task SaveAsync(SubscriptionEntry subscription, SubscriptionFee? fee, AuditEntry audit, CancellationToken cancellationToken = default);

    Task<SubscriptionEntry?> GetAsync(string subscriptionId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Included usage (units) of live subscriptions since <paramref name="since"/>, oldest first, to rebuild allowance windows
    /// (every customer's at a node's start, or one customer's when the shared windows are rebuilt).
    /// </summary>
    Task<IReadOnlyList<(string CustomerId, string ModelId, long Units, DateTimeOffset At)>> UnitsSinceAsync(DateTimeOffset since, string? customerId = null,
        CancellationToken cancellationToken = default);

    /// <summary>Whether a fee with this reference is already in the ledger.</summary>
    Task<bool> FeeChargedAsync(string reference, CancellationToken cancellationToken = default);
}
