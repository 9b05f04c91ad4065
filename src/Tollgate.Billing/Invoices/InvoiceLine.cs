namespace Tollgate.Billing.Invoices;

/// <summary>What a line bills for. Stored by name: never rename a member (a test freezes them).</summary>
public enum InvoiceLineKind
{
    /// <summary>Tokens (or requests) of one model at one price version, one token class.</summary>
    Usage,

    /// <summary>The part of a model's list value that was not charged: inside a subscription allowance, or capped at the reservation.</summary>
    UsageNotCharged,
    SubscriptionFee,
    TrueUp,
    Discount,
    Adjustment,
    CreditNote,

    /// <summary>Credit granted to a postpaid customer, reducing what is owed.</summary>
    Credit,

    /// <summary>Unused credit that expired, no longer reducing what is owed.</summary>
    Expiry,

    /// <summary>A prepaid customer's charges, already paid from the wallet.</summary>
    PrepaidApplied,

    /// <summary>The difference between the exact charges and the cents invoiced, booked as a <c>rounding</c> ledger entry.</summary>
    Rounding,
}

/// <summary>Token classes priced apart on a price card; <see cref="Request"/> is the per-request fee.</summary>
public enum TokenClass
{
    Input,
    CachedInput,
    Output,
    Request,
    CacheWrite,
}

/// <summary>
/// One invoice line. <see cref="Amount"/> keeps full precision; <see cref="Rounded"/> is set when
/// the invoice is finalized (cents, half away from zero). <see cref="UnitPrice"/> is per million
/// tokens for token classes and per request for <see cref="TokenClass.Request"/>.
/// </summary>
public sealed record InvoiceLine(InvoiceLineKind Kind, string Description, decimal Quantity, decimal? UnitPrice, decimal Amount)
{
    public string? ModelId { get; init; }

    public long? PriceVersion { get; init; }

    public TokenClass? TokenClass { get; init; }

    /// <summary>The month the usage happened in; earlier than the invoice's period for late usage.</summary>
    public BillingPeriod? UsagePeriod { get; init; }

    /// <summary>The ledger entry this line bills, for lines that come from the ledger.</summary>
    public long? LedgerEntryId { get; init; }

    public decimal? Rounded { get; init; }

    /// <summary>Lines that together equal the usage charged (what reconciliation compares).</summary>
    public bool IsUsage => Kind is InvoiceLineKind.Usage or InvoiceLineKind.UsageNotCharged;
}
