using System.Globalization;
using Tollgate.Admin;

namespace Tollgate.Cli;

/// <summary>How one invoice looks for people: a header, its lines and its payments.</summary>
internal static class InvoiceView
{
    private static readonly Column<InvoiceLineDto>[] LineColumns =
    [
        new("Kind", l => Cell.Text(l.Kind)),
        new("Description", l => Cell.Text(l.Description)),
        new("Usage of", l => Cell.Text(l.UsagePeriod)),
        Column<InvoiceLineDto>.Right("Price v", l => l.PriceVersion?.ToString(CultureInfo.InvariantCulture) ?? Cell.None),
        Column<InvoiceLineDto>.Right("Quantity", l => Cell.Text(l.Quantity)),
        Column<InvoiceLineDto>.Right("Unit price", l => Cell.Money(l.UnitPrice)),
        Column<InvoiceLineDto>.Right("Amount", l => Cell.Money(l.Amount)),
        Column<InvoiceLineDto>.Right("Rounded", l => Cell.Money(l.RoundedAmount)),
    ];

    private static readonly Column<PaymentDto>[] PaymentColumns =
    [
        Column<PaymentDto>.Id("Payment", p => p.Id),
        new("Reference", p => Cell.Text(p.Reference)),
        Column<PaymentDto>.Right("Amount", p => Cell.Money(p.Amount)),
        new("Received", p => Cell.Time(p.CreatedAt)),
    ];

    public static void Show(VerbCall call, InvoiceDto invoice, string? done = null)
    {
        var output = call.Output;
        if (done is not null) output.Success(done);
        var title = invoice.Number is { } number ? $"Invoice {number} ({invoice.Id})" : $"Draft invoice {invoice.Id}";
        output.Details(title,
            ("Customer", Cell.Text(invoice.CustomerId)),
            ("Period", Cell.Text(invoice.Period)),
            ("Billing mode", Cell.Text(invoice.BillingMode)),
            ("Status", Cell.Status(invoice.Status)),
            ("Total", Cell.Money(invoice.Total)),
            ("Paid", Cell.Money(invoice.AmountPaid)),
            ("Due", Cell.Money(invoice.AmountDue)),
            ("Created", Cell.Time(invoice.CreatedAt)),
            ("Finalized", Cell.Time(invoice.FinalizedAt)),
            ("Paid at", Cell.Time(invoice.PaidAt)),
            ("Voided", invoice.VoidedAt is null ? Cell.None : $"{Cell.Time(invoice.VoidedAt)}, credit note {Cell.Text(invoice.CreditNoteNumber)}: {Cell.Text(invoice.VoidReason)}"));
        // Finalize, pay and void answer without lines or payments: show what came, say nothing of what did not.
        if (invoice.Lines is { } lines)
        {
            if (lines.Count == 0) output.Note("No lines: nothing to bill for this period.");
            else output.Table(lines, LineColumns, "Lines");
        }
        if (invoice.Payments is { Count: > 0 } payments) output.Table(payments, PaymentColumns, "Payments");
    }
}
