using System.Globalization;

namespace Tollgate.Billing.Invoices;

/// <summary>Invoice and credit-note numbers: one gapless sequence per kind per year of finalization.</summary>
public static class InvoiceNumbers
{
    public static string Invoice(int year, long sequence) => string.Create(CultureInfo.InvariantCulture, $"TG-{year:D4}-{sequence:D6}");

    public static string CreditNote(int year, long sequence) => string.Create(CultureInfo.InvariantCulture, $"TG-CN-{year:D4}-{sequence:D6}");

    /// <summary>The counter a number is drawn from, e.g. <c>invoice:2026</c>.</summary>
    public static string InvoiceCounter(int year) => string.Create(CultureInfo.InvariantCulture, $"invoice:{year:D4}");

    public static string CreditNoteCounter(int year) => string.Create(CultureInfo.InvariantCulture, $"credit_note:{year:D4}");
}
