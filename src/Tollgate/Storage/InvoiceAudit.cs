using System.Buffers;
using System.Text;
using System.Text.Json;
using Tollgate.Billing;
using Tollgate.Billing.Invoices;

namespace Tollgate.Storage;

/// <summary>The before/after documents of billing changes in the audit log (snake_case, money as strings).</summary>
internal static class InvoiceAudit
{
    public static string State(InvoiceRecord invoice) => Write(w =>
    {
        w.WriteString("status", StoredNames.Of(invoice.Status));
        w.WriteString("number", invoice.Number);
        w.WriteString("total", Money.Format(invoice.Total));
    });

    public static string Finalized(string number, InvoiceStatus status, decimal total) => Write(w =>
    {
        w.WriteString("status", StoredNames.Of(status));
        w.WriteString("number", number);
        w.WriteString("total", Money.Format(total));
    });

    public static string Void(string creditNote, string reason) => Write(w =>
    {
        w.WriteString("status", "void");
        w.WriteString("credit_note_number", creditNote);
        w.WriteString("reason", reason);
    });

    public static string Payment(string paymentId, decimal amount, string reference) => Write(w =>
    {
        w.WriteString("payment_id", paymentId);
        w.WriteString("amount", Money.Format(amount));
        w.WriteString("reference", reference);
    });

    public static string Ledger(LedgerRecord entry) => Write(w =>
    {
        w.WriteNumber("id", entry.Id);
        w.WriteString("kind", StoredNames.Of(entry.Kind));
        w.WriteString("amount", Money.Format(entry.Amount));
        w.WriteString("reference", entry.Reference);
        if (entry.Corrects is { } corrects) w.WriteNumber("corrects", corrects);
        if (entry.Note is { } note) w.WriteString("note", note);
    });

    /// <summary>A small JSON object for an audit entry's before/after, written by <paramref name="body"/>.</summary>
    public static string Write(Action<Utf8JsonWriter> body)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            body(writer);
            writer.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
