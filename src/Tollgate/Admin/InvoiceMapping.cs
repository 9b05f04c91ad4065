using Tollgate.Billing;
using Tollgate.Invoicing;
using Tollgate.Storage;

namespace Tollgate.Admin;

/// <summary>Invoices, runs and ledger entries as the admin API (and <c>/v1/account/invoices</c>) shows them.</summary>
internal static class InvoiceMapping
{
    public static InvoiceDto ToDto(this InvoiceRecord invoice, IReadOnlyList<PaymentRecord>? payments = null, bool lines = true) => new(
        invoice.Id, invoice.CustomerId, invoice.Period.ToString(), StoredNames.Of(invoice.BillingMode), StoredNames.Of(invoice.Status), invoice.Number,
        Money.Format(invoice.Total), Money.Format(invoice.AmountPaid), Money.Format(invoice.AmountDue), invoice.CreditNoteNumber, invoice.VoidReason,
        invoice.CreatedAt, invoice.FinalizedAt, invoice.PaidAt, invoice.VoidedAt,
        lines ? [.. invoice.Lines.Select(l => new InvoiceLineDto(StoredNames.Of(l.Kind), l.Description, l.ModelId, l.PriceVersion,
            l.TokenClass is { } c ? StoredNames.Of(c) : null, l.UsagePeriod?.ToString(), Money.Format(l.Quantity),
            l.UnitPrice is { } unit ? Money.Format(unit) : null, Money.Format(l.Amount), l.Rounded is { } r ? Money.Format(r) : null, l.LedgerEntryId))]
            : null,
        payments?.Select(p => new PaymentDto(p.Id, Money.Format(p.Amount), p.Reference, p.CreatedAt)).ToList());

    public static InvoiceRunDto ToDto(this InvoiceRun run) => new(
        run.Id, run.Period.ToString(), run.Finalize, run.CustomerId, run.Status, run.Customers, run.Done, run.Created, run.Refreshed, run.Finalized,
        run.AlreadyFinalized, run.Failed, run.Error, run.StartedAt, run.CompletedAt);

    public static LedgerEntryDto ToDto(this LedgerRecord entry) => new(
        entry.Id, entry.CustomerId, StoredNames.Of(entry.Kind), Money.Format(entry.Amount), entry.Reference, entry.Corrects, entry.Note, entry.CreatedAt);

    public static ReconciliationRowDto ToDto(this ReconciliationRow row) => new(
        row.CustomerId, row.Period.ToString(), Money.Format(row.Events), Money.Format(row.Ledger), Money.Format(row.Rollups), Money.Format(row.Invoiced),
        Money.Format(row.Pending), row.Agrees);
}
