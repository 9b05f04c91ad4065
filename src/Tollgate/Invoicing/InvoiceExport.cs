using System.Globalization;
using System.Net;
using System.Text;
using Tollgate.Billing;
using Tollgate.Storage;

namespace Tollgate.Invoicing;

/// <summary>An invoice as CSV (one row per line, for spreadsheets) and as a printable HTML page.</summary>
internal static class InvoiceExport
{
    public static byte[] Csv(InvoiceRecord invoice)
    {
        var csv = new StringBuilder();
        csv.AppendLine("invoice,number,period,line,kind,description,model,price_version,token_class,usage_period,quantity,unit_price,amount,rounded_amount");
        var no = 0;
        foreach (var line in invoice.Lines)
        {
            no++;
            string[] cells =
            [
                invoice.Id, invoice.Number ?? "", invoice.Period.ToString(), no.ToString(CultureInfo.InvariantCulture), StoredNames.Of(line.Kind), line.Description,
                line.ModelId ?? "", line.PriceVersion?.ToString(CultureInfo.InvariantCulture) ?? "", line.TokenClass is { } c ? StoredNames.Of(c) : "",
                line.UsagePeriod?.ToString() ?? "", Money.Format(line.Quantity), line.UnitPrice is { } u ? Money.Format(u) : "", Money.Format(line.Amount),
                line.Rounded is { } r ? Money.Format(r) : "",
            ];
            csv.AppendLine(string.Join(',', cells.Select(Quote)));
        }
        return Encoding.UTF8.GetBytes(csv.ToString());
    }

    public static string Html(InvoiceRecord invoice, string customerName, IReadOnlyList<PaymentRecord> payments)
    {
        static string E(string text) => WebUtility.HtmlEncode(text);
        static string Usd(decimal amount) => amount.ToString("$#,##0.00;-$#,##0.00", CultureInfo.InvariantCulture);
        var html = new StringBuilder();
        var title = invoice.Number is { } number ? $"Invoice {number}" : $"Draft invoice {invoice.Id}";
        var finalized = invoice.FinalizedAt is { } at ? string.Create(CultureInfo.InvariantCulture, $", finalized {at:yyyy-MM-dd}") : "";
        var voided = invoice.CreditNoteNumber is { } note ? $"<br>Voided by credit note {E(note)}: {E(invoice.VoidReason ?? "")}" : "";
        html.Append(CultureInfo.InvariantCulture, $$"""
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>{{E(title)}}</title>
            <style>
            body{font:14px/1.4 system-ui,sans-serif;margin:2rem auto;max-width:60rem;color:#111}
            table{border-collapse:collapse;width:100%}th,td{padding:.35rem .5rem;border-bottom:1px solid #ddd;text-align:left}
            td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}tfoot td{font-weight:600}.muted{color:#666}
            @media print{ body{margin:0} }
            </style></head><body>
            <h1>{{E(title)}}</h1>
            <p>Customer: <strong>{{E(customerName)}}</strong> ({{E(invoice.CustomerId)}})<br>
            Period: {{E(invoice.Period.ToString())}} ({{invoice.Period.Start:yyyy-MM-dd}} to {{invoice.Period.End.AddDays(-1):yyyy-MM-dd}}, UTC)<br>
            Status: {{E(StoredNames.Of(invoice.Status))}}{{finalized}}{{voided}}</p>
            <table><thead><tr><th>Description</th><th class="n">Quantity</th><th class="n">Unit price</th><th class="n">Amount</th></tr></thead><tbody>
            """);
        foreach (var line in invoice.Lines)
        {
            var unit = line.UnitPrice is { } u ? Money.Format(u) + (line.TokenClass is { } c && c != Billing.Invoices.TokenClass.Request ? " / 1M" : "") : "";
            html.Append(CultureInfo.InvariantCulture,
                $"<tr><td>{E(line.Description)}</td><td class=\"n\">{line.Quantity:#,##0.######}</td><td class=\"n\">{E(unit)}</td><td class=\"n\">{Usd(line.Rounded ?? line.Amount)}</td></tr>\n");
        }
        html.Append(CultureInfo.InvariantCulture, $"</tbody><tfoot><tr><td colspan=\"3\">Total</td><td class=\"n\">{Usd(invoice.Total)}</td></tr>");
        foreach (var payment in payments)
            html.Append(CultureInfo.InvariantCulture, $"<tr><td colspan=\"3\" class=\"muted\">Paid {payment.CreatedAt:yyyy-MM-dd} ({E(payment.Reference)})</td><td class=\"n\">{Usd(-payment.Amount)}</td></tr>");
        html.Append(CultureInfo.InvariantCulture, $"<tr><td colspan=\"3\">Amount due</td><td class=\"n\">{Usd(invoice.AmountDue)}</td></tr></tfoot></table>");
        html.Append("<p class=\"muted\">Amounts in USD. Each line is rounded to the cent, half away from zero.</p></body></html>\n");
        return html.ToString();
    }

    /// <summary>RFC 4180 quoting; a leading formula character is neutralized so a spreadsheet never runs a cell.</summary>
    private static string Quote(string cell)
    {
        if (cell.Length > 0 && "=+-@\t\r".Contains(cell[0], StringComparison.Ordinal) && !decimal.TryParse(cell, NumberStyles.Number, CultureInfo.InvariantCulture, out _))
            cell = "'" + cell;
        return cell.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + cell.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : cell;
    }
}
