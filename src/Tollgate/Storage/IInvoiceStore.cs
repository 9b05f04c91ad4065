using Tollgate.Billing.Catalog;
using Tollgate.Billing.Invoices;
using Tollgate.Billing.Ledger;

namespace Tollgate.Storage;

/// <summary>An invoice with its lines; <see cref="Total"/> is exact while a draft and the sum of rounded lines once finalized.</summary>
internal sealed record InvoiceRecord(
    string Id,
    string CustomerId,
    BillingPeriod Period,
    BillingMode BillingMode,
    InvoiceStatus Status,
    string? Number,
    decimal Total,
    decimal AmountPaid,
    string? CreditNoteNumber,
    string? VoidReason,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? FinalizedAt,
    DateTimeOffset? PaidAt,
    DateTimeOffset? VoidedAt,
    IReadOnlyList<InvoiceLine> Lines)
{
    /// <summary>What the customer still owes on it: nothing for a draft or a void invoice.</summary>
    public decimal AmountDue => Status == InvoiceStatus.Finalized ? Math.Max(Total - AmountPaid, 0) : 0;

    /// <summary>The rounding ledger entry the call that returned this record booked (finalizing) or reversed (voiding): the wallet moves by it.</summary>
    public decimal RoundingBooked { get; init; }
}

/// <summary>What one customer's run did.</summary>
internal enum InvoiceRunOutcome
{
    Created,
    Refreshed,
    Finalized,

    /// <summary>The period's invoice was already finalized: nothing billed again.</summary>
    AlreadyFinalized,
}

internal sealed record InvoiceFilter(string? CustomerId = null, BillingPeriod? Period = null, InvoiceStatus? Status = null);

internal sealed record LedgerRecord(long Id, string CustomerId, LedgerEntryKind Kind, decimal Amount, string Reference, long? Corrects, string? Note, DateTimeOffset CreatedAt);

internal sealed record PaymentRecord(string Id, string InvoiceId, decimal Amount, string Reference, DateTimeOffset CreatedAt);

/// <summary>Refused because of the invoice's state (e.g. finalizing a void invoice): a 409 for the admin API.</summary>
internal sealed class InvoiceStateException(string message) : Exception(message);

/// <summary>Invoices built from usage rollups and the ledger, each change in one short transaction.</summary>
internal interface IInvoiceStore
{
    /// <summary>
    /// Creates or refreshes the customer's draft for the period, and finalizes it when asked.
    /// Never bills twice: a finalized invoice for the period is left as it is.
    /// </summary>
    Task<(InvoiceRunOutcome Outcome, InvoiceRecord Invoice)> RunAsync(string customerId, BillingMode mode, BillingPeriod period, bool finalize,
        string actor, DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>The latest month with a finalized (or paid) invoice for the customer; null when none is.</summary>
    Task<BillingPeriod?> LastFinalizedPeriodAsync(string customerId, CancellationToken cancellationToken = default);

    Task<InvoiceRecord> FinalizeAsync(string invoiceId, string actor, DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>Records a payment and its ledger entry; a second payment with the same reference changes nothing (Recorded is false).</summary>
    Task<(InvoiceRecord Invoice, bool Recorded)> RecordPaymentAsync(string invoiceId, decimal amount, string reference, string actor, DateTimeOffset now,
        CancellationToken cancellationToken = default);

    /// <summary>Voids a finalized invoice no payment was recorded against, and issues its credit note; the period can then be invoiced again.</summary>
    Task<InvoiceRecord> VoidAsync(string invoiceId, string reason, string actor, DateTimeOffset now, CancellationToken cancellationToken = default);

    Task<InvoiceRecord?> GetAsync(string invoiceId, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<PaymentRecord>> PaymentsAsync(string invoiceId, CancellationToken cancellationToken = default);

    /// <summary>Newest period first, without lines.</summary>
    Task<PageOf<InvoiceRecord>> ListAsync(InvoiceFilter filter, Page page, CancellationToken cancellationToken = default);

    /// <summary>Appends an adjustment, discount or credit note (optionally correcting an earlier entry) with its audit entry.</summary>
    Task<LedgerRecord> AppendLedgerAsync(string customerId, LedgerEntryKind kind, decimal amount, string? note, long? corrects, string actor,
        DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>The customer's usage per day and model in the period, from the rollups.</summary>
    Task<IReadOnlyList<DailyUsage>> DailyUsageAsync(string customerId, BillingPeriod period, CancellationToken cancellationToken = default);

    /// <summary>Oldest first, after the entry with id <see cref="Page.StartingAfter"/>.</summary>
    Task<PageOf<LedgerRecord>> LedgerAsync(string customerId, Page page, CancellationToken cancellationToken = default);
}

/// <summary>One day's usage of one model, as a customer sees it on <c>/v1/account/usage</c>.</summary>
internal sealed record DailyUsage(string Day, string ModelId, long Requests, Billing.Pricing.TokenUsage Tokens, decimal ChargedAmount);
