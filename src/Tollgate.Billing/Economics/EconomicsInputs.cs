using Tollgate.Billing.Pricing;

namespace Tollgate.Billing.Economics;

/// <summary>Usage of one customer on one day through one model and backend, as the usage rollups hold it.</summary>
public sealed record UsageLine(
    string CustomerId,
    DateOnly Day,
    string ModelId,
    string BackendId,
    long Requests,
    TokenUsage Tokens,
    decimal ListAmount,
    decimal ChargedAmount,
    decimal CostToServe);

/// <summary>A subscription fee as charged: one ledger entry, with the span of time it pays for.</summary>
public sealed record FeeCharge(string CustomerId, string? PlanId, decimal Amount, DateTimeOffset SpanStart, DateTimeOffset SpanEnd)
{
    /// <summary>The fee spread over the days it pays for: revenue is earned as the service is given.</summary>
    public IEnumerable<FeeShare> Spread() =>
        Shares.ByDay(Amount, SpanStart, SpanEnd).Select(s => new FeeShare(CustomerId, s.Day, PlanId, s.Amount));
}

/// <summary>One day's share of a subscription fee.</summary>
public sealed record FeeShare(string CustomerId, DateOnly Day, string? PlanId, decimal Amount);

/// <summary>
/// What promotional credit paid of one debit (on the debit's day, or spread like the fee it paid):
/// a discount, not revenue. <see cref="ModelId"/> and <see cref="BackendId"/> are set when it paid a request.
/// </summary>
public sealed record PromotionalShare(string CustomerId, DateOnly Day, string? ModelId, string? BackendId, string? PlanId, decimal Amount);
