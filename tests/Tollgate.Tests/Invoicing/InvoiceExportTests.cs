using System.Text;
using System.Text.RegularExpressions;
using Tollgate.Billing.Catalog;
using Tollgate.Billing.Invoices;
using Tollgate.Invoicing;
using Tollgate.Storage;
using Tollgate.Tests.Admin;
using Tollgate.Tests.Webhooks;
using static Tollgate.Tests.Invoicing.InvoiceScene;

namespace Tollgate.Tests.Invoicing;

/// <summary>CSV and HTML exports, and the <c>invoice.finalized</c> webhook.</summary>
public sealed partial class InvoiceExportTests
{
    private static readonly DateTimeOffset October = new(2026, 10, 5, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Csv_DescriptionsWithCommaQuoteAndFormula_OneQuotedRowPerLine()
    {
        var at = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
        var invoice = new InvoiceRecord("inv_1", "cus_1", new BillingPeriod(2026, 10), BillingMode.Postpaid, InvoiceStatus.Finalized, "TG-2026-000009",
            1.25m, 0m, null, null, at, at, at, null, null,
            [
                new InvoiceLine(InvoiceLineKind.Usage, "m input tokens (price v1)", 500_000, 2m, 1m) { TokenClass = TokenClass.Input, Rounded = 1m },
                new InvoiceLine(InvoiceLineKind.Adjustment, "Consulting, October", 1, null, 0.5m) { Rounded = 0.5m },
                new InvoiceLine(InvoiceLineKind.Discount, "The \"friends\" rate", 1, null, -0.25m) { Rounded = -0.25m },
                new InvoiceLine(InvoiceLineKind.Adjustment, "=HYPERLINK(\"x\")", 1, null, 0m) { Rounded = 0m },
            ]);

        var rows = Encoding.UTF8.GetString(InvoiceExport.Csv(invoice)).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(r => r.TrimEnd('\r')).ToArray();

        Assert.Equal(5, rows.Length);
        Assert.StartsWith("invoice,number,period,line,kind,description,", rows[0], StringComparison.Ordinal);
        Assert.Equal("inv_1,TG-2026-000009,2026-10,1,usage,m input tokens (price v1),,,input,,500000,2,1,1", rows[1]);
        Assert.Equal("inv_1,TG-2026-000009,2026-10,2,adjustment,\"Consulting, October\",,,,,1,,0.5,0.5", rows[2]);
        Assert.Equal("inv_1,TG-2026-000009,2026-10,3,discount,\"The \"\"friends\"\" rate\",,,,,1,,-0.25,-0.25", rows[3]);
        // A spreadsheet must not run a cell as a formula.
        Assert.Contains(",\"'=HYPERLINK(\"\"x\"\")\",", rows[4], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Export_FinalizedInvoice_CsvRowPerLineAndWellFormedHtmlWithNumberAndTotal()
    {
        await using var scene = await StartAsync(October);
        var (customer, key) = await scene.CustomerAsync();
        // 1,000,000 input (200,000 cached) and 250,000 output: $1.60 + $0.10 + $2.00 = $3.70.
        await scene.ChatAsync(key, input: 1_000_000, output: 250_000, cached: 200_000);
        scene.Time.SetUtcNow(NovemberFirst);
        await scene.RunAsync("2026-10", finalize: true);
        var invoice = await scene.InvoiceAsync(customer, "2026-10");
        var number = Text(invoice, "number");

        using var csvResponse = await scene.Admin.GetAsync($"/admin/v1/invoices/{invoice.Id()}/export?format=csv");
        var csv = await csvResponse.Content.ReadAsStringAsync();
        using var htmlResponse = await scene.Admin.GetAsync($"/admin/v1/invoices/{invoice.Id()}/export?format=html");
        var html = await htmlResponse.Content.ReadAsStringAsync();

        Assert.Equal("text/csv", csvResponse.Content.Headers.ContentType!.MediaType);
        var rows = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(1 + 3, rows.Length);
        Assert.All(rows.Skip(1), r => Assert.StartsWith($"{invoice.Id()},{number},2026-10,", r, StringComparison.Ordinal));
        Assert.Equal([1.60m, 0.10m, 2.00m], rows.Skip(1).Select(r => decimal.Parse(r.TrimEnd('\r').Split(',')[^1], System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal("text/html", htmlResponse.Content.Headers.ContentType!.MediaType);
        AssertWellFormed(html);
        Assert.Contains($"<title>Invoice {number}</title>", html, StringComparison.Ordinal);
        Assert.Contains("<td class=\"n\">$3.70</td>", html, StringComparison.Ordinal);
        Assert.Contains("Acme", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Finalize_Run_InvoiceFinalizedWebhookDelivered()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var scene = await StartAsync(October);
        await scene.Admin.CreateEndpointAsync(receiver.Url(), "invoice.finalized");
        var (customer, key) = await scene.CustomerAsync();
        // 100,000 input × $2/M = $0.20 + 100,000 output × $8/M = $0.80 → $1.00.
        await scene.ChatAsync(key, input: 100_000, output: 100_000);
        scene.Time.SetUtcNow(NovemberFirst);
        await scene.RunAsync("2026-10", finalize: false);

        await scene.RunAsync("2026-10", finalize: true);
        await scene.RunAsync("2026-10", finalize: true);
        await scene.App.FlushOutboxAsync();
        await scene.App.DeliverDueAsync();
        var invoice = await scene.InvoiceAsync(customer, "2026-10");

        // Announced once: the second run found it finalized already, and a draft is never announced.
        var delivered = Assert.Single(receiver.Received);
        Assert.Equal("invoice.finalized", delivered.EventType);
        var data = delivered.Json["data"]!;
        Assert.Equal(invoice.Id(), data["invoice_id"].Text());
        Assert.Equal(Text(invoice, "number"), data["number"].Text());
        Assert.Equal(customer, data["customer_id"].Text());
        Assert.Equal("2026-10", data["period"].Text());
        Assert.Equal(1.00m, Amount(data, "total"));
        Assert.Equal(1.00m, Amount(data, "amount_due"));
    }

    /// <summary>Every element opened is closed in order (void elements aside), inside one html element, after the doctype.</summary>
    private static void AssertWellFormed(string html)
    {
        Assert.StartsWith("<!doctype html>", html.TrimStart(), StringComparison.OrdinalIgnoreCase);
        string[] empty = ["meta", "br", "hr", "img", "link", "input", "col"];
        var open = new Stack<string>();
        var body = StyleBlock().Replace(html, "<style></style>");
        foreach (Match tag in Tag().Matches(body))
        {
            var name = tag.Groups["name"].Value.ToLowerInvariant();
            if (tag.Groups["close"].Success)
            {
                Assert.True(open.Count > 0 && open.Peek() == name, $"</{name}> closes <{(open.Count > 0 ? open.Peek() : "nothing")}>");
                open.Pop();
            }
            else if (!empty.Contains(name))
            {
                open.Push(name);
            }
        }
        Assert.Empty(open);
        Assert.Equal(1, Regex.Count(body, "<html[ >]"));
        Assert.DoesNotMatch("<[^>]*<", body);
    }

    [GeneratedRegex(@"<(?<close>/)?(?<name>[a-zA-Z][a-zA-Z0-9]*)[^>]*>")]
    private static partial Regex Tag();

    [GeneratedRegex(@"<style>.*?</style>", RegexOptions.Singleline)]
    private static partial Regex StyleBlock();
}
