namespace Tollgate.Billing.Invoices;

/// <summary>
/// Which way an invoice may move: draft → finalized (once its month has ended) → paid, or →
/// void while no money was paid against it. Each check returns the refusal to answer, or null when
/// the move is allowed; stores load the invoice, ask, and save.
/// </summary>
public static class InvoiceTransitions
{
    /// <summary>A draft can be finalized once its month has ended: what it bills is then complete.</summary>
    public static string? RefuseFinalize(InvoiceStatus status, BillingPeriod period, DateTimeOffset now, string invoiceId) =>
        status != InvoiceStatus.Draft ? $"Invoice {invoiceId} is {Name(status)}; only a draft can be finalized."
        : RefuseBeforeEnd(period, now);

    /// <summary>A month's invoices can be drafted at any time but finalized only after the month's last second.</summary>
    public static string? RefuseBeforeEnd(BillingPeriod period, DateTimeOffset now) =>
        now < period.End
            ? $"Period {period} has not ended (it ends {period.End:yyyy-MM-dd'T'HH:mm:ss'Z'}); its invoices can be drafted but not finalized."
            : null;

    /// <summary>A finalized invoice with nothing due (a prepaid statement, credits beyond charges) is paid at once.</summary>
    public static InvoiceStatus StatusOnFinalize(decimal total) => total <= 0 ? InvoiceStatus.Paid : InvoiceStatus.Finalized;

    /// <summary>Payments go against finalized, unpaid invoices, and never beyond what is due.</summary>
    public static string? RefusePayment(InvoiceStatus status, decimal amountDue, decimal amount, string invoiceId, string? number) =>
        status != InvoiceStatus.Finalized
            ? $"Invoice {invoiceId} is {Name(status)}; payments are recorded against finalized, unpaid invoices."
            : amount > amountDue
                ? $"The payment of {Money.Format(amount)} exceeds the {Money.Format(amountDue)} due on invoice {number}."
                : null;

    /// <summary>Paid once payments cover the total.</summary>
    public static InvoiceStatus StatusAfterPayment(decimal paid, decimal total) => paid >= total ? InvoiceStatus.Paid : InvoiceStatus.Finalized;

    /// <summary>
    /// A finalized invoice can be voided while no payment was recorded against it (one settled at
    /// finalization, with nothing due, included); a draft is replaced by the next run instead.
    /// </summary>
    public static string? RefuseVoid(InvoiceStatus status, decimal amountPaid, string invoiceId, string? number) => status switch
    {
        InvoiceStatus.Draft => $"Invoice {invoiceId} is a draft: it is replaced by the next run, not voided.",
        InvoiceStatus.Void => $"Invoice {number} is already void.",
        _ when amountPaid != 0 => $"Invoice {number} has payments recorded; issue a credit note (a ledger entry) instead of voiding it.",
        _ => null,
    };

    private static string Name(InvoiceStatus status) => status switch
    {
        InvoiceStatus.Draft => "draft",
        InvoiceStatus.Finalized => "finalized",
        InvoiceStatus.Paid => "paid",
        _ => "void",
    };
}
