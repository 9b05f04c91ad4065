namespace Tollgate.Catalog;

/// <summary>
/// An API key as the data plane sees it: the keyed hash of its secret, never the secret.
/// <see cref="Models"/> null means every non-gated model.
/// </summary>
internal sealed record KeyEntry(
    string Id,
    string CustomerId,
    string Name,
    byte[] SecretHash,
    IReadOnlySet<string>? Models,
    DateTimeOffset? ExpiresAt,
    DateTimeOffset? RevokedAt,
    DateTimeOffset CreatedAt)
{
    /// <summary>A rotated key may keep working until its revocation time, a grace period for clients to switch.</summary>
    public bool IsActiveAt(DateTimeOffset now) => (RevokedAt is null || now < RevokedAt) && (ExpiresAt is null || now < ExpiresAt);

    public bool MayUse(string modelId) => Models is null || Models.Contains(modelId);

    /// <summary>Most this key may be charged per <see cref="BudgetPeriod"/>; null means no key budget.</summary>
    public decimal? Budget { get; init; }

    public Budgets.BudgetPeriod BudgetPeriod { get; init; } = Budgets.BudgetPeriod.Monthly;

    /// <summary>This key's own rate limits; null means none beyond the customer's.</summary>
    public Limits.RateLimits? Limits { get; init; }
}
