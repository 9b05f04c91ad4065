namespace Tollgate.Admin;

/// <summary><c>POST /invoice-runs</c>: period <c>YYYY-MM</c>; finalize numbers the invoices (only once the period has ended).</summary>
internal sealed record InvoiceRunRequest(string? Period, bool? Finalize, string? CustomerId);

internal sealed record InvoiceRunDto(
    string Id, string Period, bool Finalize, string? CustomerId, string Status, int Customers, int Done, int Created, int Refreshed, int Finalized,
    int AlreadyFinalized, int Failed, string? Error, DateTimeOffset StartedAt, DateTimeOffset? CompletedAt);

/// <summary>Money fields are decimal strings: <c>amount</c> at full precision, <c>rounded_amount</c> in cents once finalized.</summary>
internal sealed record InvoiceLineDto(
    string Kind, string Description, string? Model, long? PriceVersion, string? TokenClass, string? UsagePeriod, string Quantity, string? UnitPrice,
    string Amount, string? RoundedAmount, long? LedgerEntryId);

internal sealed record PaymentDto(string Id, string Amount, string Reference, DateTimeOffset CreatedAt);

internal sealed record InvoiceDto(
    string Id, string CustomerId, string Period, string BillingMode, string Status, string? Number, string Total, string AmountPaid, string AmountDue,
    string? CreditNoteNumber, string? VoidReason, DateTimeOffset CreatedAt, DateTimeOffset? FinalizedAt, DateTimeOffset? PaidAt, DateTimeOffset? VoidedAt,
    IReadOnlyList<InvoiceLineDto>? Lines, IReadOnlyList<PaymentDto>? Payments);

internal sealed record PaymentRequest(string? Amount, string? Reference);

internal sealed record VoidRequest(string? Reason);

/// <summary><c>kind</c> is adjustment (signed), discount or credit_note (positive: credited to the customer).</summary>
internal sealed record LedgerEntryRequest(string? Kind, string? Amount, string? Note, long? Corrects);

internal sealed record LedgerEntryDto(long Id, string CustomerId, string Kind, string Amount, string Reference, long? Corrects, string? Note, DateTimeOffset CreatedAt);

internal sealed record ReconciliationRowDto(
    string CustomerId, string Period, string UsageEvents, string LedgerUsage, string Rollups, string Invoiced, string Pending, bool Agrees);

/// <summary>A finalized invoice whose rounded total differs from what the ledger moved for it.</summary>
internal sealed record InvoiceCheckDto(string InvoiceId, string? Number, string CustomerId, string Period, string Invoiced, string Ledger);

/// <summary>The first point at which a prepaid customer's replayed ledger went below zero.</summary>
internal sealed record NegativeBalanceDto(string CustomerId, DateTimeOffset At, string Balance);

/// <summary>
/// <c>agrees</c> is false when any customer's records differ (<c>differences</c>), any finalized invoice differs from the
/// ledger after rounding (<c>invoice_differences</c>), or any prepaid balance was ever below zero (<c>negative_balances</c>).
/// </summary>
internal sealed record ReconciliationDto(string? Period, bool Agrees, int Rows, string TotalCharged, IReadOnlyList<ReconciliationRowDto> Differences,
    IReadOnlyList<ReconciliationRowDto>? Data)
{
    public int InvoicesChecked { get; init; }

    public IReadOnlyList<InvoiceCheckDto> InvoiceDifferences { get; init; } = [];

    public IReadOnlyList<NegativeBalanceDto> NegativeBalances { get; init; } = [];
}
