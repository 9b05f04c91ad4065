using Tollgate.Billing.Pricing;

namespace Tollgate.Billing.Invoices;

/// <summary>
/// Usage of one customer summed per model, price version and month it happened in: what an
/// invoice bills from, so a run never rescans raw usage events.
/// </summary>
public sealed record UsageRollup(
    string ModelId,
    long? PriceVersion,
    BillingPeriod UsagePeriod,
    long Requests,
    TokenUsage Tokens,
    decimal ListAmount,
    decimal ChargedAmount);

/// <summary>A ledger entry other than usage, as an invoice sees it.</summary>
public sealed record LedgerItem(long Id, Ledger.LedgerEntryKind Kind, decimal Amount, string Reference, DateTimeOffset CreatedAt);
