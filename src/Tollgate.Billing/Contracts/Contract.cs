using Tollgate.Billing.Invoices;
using Tollgate.Billing.Pricing;

namespace Tollgate.Billing.Contracts;

/// <summary>
/// An enterprise contract: a term, a monthly minimum commitment billed even when unused, the
/// customer's pricing (per-model rate overrides, else a percentage off list), and the gated
/// models it entitles. A cancelled contract ends at the moment it was cancelled.
/// </summary>
public sealed record Contract(
    string Id,
    string CustomerId,
    DateTimeOffset StartsAt,
    DateTimeOffset EndsAt,
    decimal MonthlyCommitment,
    decimal DiscountPercent,
    IReadOnlyDictionary<string, TokenRates> RateOverrides,
    IReadOnlyList<string> EntitledModels,
    DateTimeOffset CreatedAt)
{
    public DateTimeOffset? CancelledAt { get; init; }

    /// <summary>When the contract stops being in force: its end, or its cancellation if earlier.</summary>
    public DateTimeOffset EffectiveEnd => CancelledAt is { } cancelled && cancelled < EndsAt ? cancelled : EndsAt;

    public bool IsInForce(DateTimeOffset at) => at >= StartsAt && at < EffectiveEnd;

    public ContractStatus StatusAt(DateTimeOffset at) =>
        CancelledAt is { } cancelled && cancelled <= at ? ContractStatus.Cancelled
        : at < StartsAt ? ContractStatus.Scheduled
        : at < EndsAt ? ContractStatus.Active
        : ContractStatus.Ended;

    public bool Entitles(string modelId, DateTimeOffset at) => IsInForce(at) && EntitledModels.Contains(modelId, StringComparer.Ordinal);

    /// <summary>
    /// The rates this customer is charged for a model: its override when the contract has one,
    /// else the list rates less the discount. Linear in every token class, so the charge of a
    /// request is exactly its list amount less the discount.
    /// </summary>
    public TokenRates ChargeRates(string modelId, TokenRates list)
    {
        ArgumentNullException.ThrowIfNull(list);
        if (RateOverrides.TryGetValue(modelId, out var overridden)) return overridden;
        if (DiscountPercent == 0) return list;
        var keep = (100m - DiscountPercent) / 100m;
        return list.Scaled(keep);
    }

    /// <summary>
    /// The commitment owed for <paramref name="period"/>: the monthly minimum prorated by the
    /// seconds of the month the contract was in force (first, last and cancelled months).
    /// </summary>
    public decimal CommitmentFor(BillingPeriod period)
    {
        var from = StartsAt > period.Start ? StartsAt : period.Start;
        var to = EffectiveEnd < period.End ? EffectiveEnd : period.End;
        if (to <= from) return 0m;
        if (from == period.Start && to == period.End) return MonthlyCommitment;
        var covered = (long)(to - from).TotalSeconds;
        var total = (long)(period.End - period.Start).TotalSeconds;
        // Ten decimals, as subscription proration: exact far below a cent, no division noise.
        return Math.Round(MonthlyCommitment * covered / total, 10, MidpointRounding.AwayFromZero);
    }
}
