using Tollgate.Storage;

namespace Tollgate.Budgets;

/// <summary>Tier overrides set by an operator, and the paid totals tiers are computed from.</summary>
internal interface ITierStore
{
    /// <summary>Paid spend per customer: purchased grants plus payments. Promotional grants are not paid.</summary>
    Task<IReadOnlyDictionary<string, decimal>> LoadPaidAsync(CancellationToken cancellationToken = default);

    Task<IReadOnlyDictionary<string, TierOverride>> LoadOverridesAsync(CancellationToken cancellationToken = default);

    /// <summary>Sets (or, with null, clears) the customer's override, audited, in one transaction.</summary>
    Task SetOverrideAsync(string customerId, TierOverride? value, AuditEntry audit, CancellationToken cancellationToken = default);
}

/// <summary>An operator's fixed tier for a customer, replacing automatic promotion until cleared.</summary>
internal sealed record TierOverride(int Level, string? Note, DateTimeOffset SetAt);
