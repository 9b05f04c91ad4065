namespace Tollgate.Billing.Ledger;

/// <summary>
/// Kinds of append-only ledger entries. The numeric values are stored: never renumber
/// (a test freezes them).
/// </summary>
public enum LedgerEntryKind
{
    Grant = 1,
    Payment = 2,
    Usage = 3,
    SubscriptionFee = 4,
    TrueUp = 5,
    Discount = 6,
    Adjustment = 7,
    CreditNote = 8,
    Expiry = 9,

    /// <summary>Booked when an invoice is finalized: the exact charges less the cents invoiced, so the ledger equals the invoice.</summary>
    Rounding = 10,
}
