using Tollgate.Billing.Catalog;

namespace Tollgate.Catalog;

/// <summary>A customer as the data plane sees it.</summary>
internal sealed record CustomerEntry(string Id, string Name, BillingMode BillingMode, DateTimeOffset CreatedAt)
{
    /// <summary>Postpaid only: how far the balance may go below zero before requests are refused; null means no cap.</summary>
    public decimal? CreditLimit { get; init; }

    /// <summary>Most the customer may be charged per UTC month, across all keys; null means no budget.</summary>
    public decimal? MonthlyBudget { get; init; }

    /// <summary>Rate limits across all the customer's keys; null means none beyond the keys' own.</summary>
    public Limits.RateLimits? Limits { get; init; }
}
