using Microsoft.AspNetCore.Mvc;
using Tollgate.Admin;
using Tollgate.Admin.Services;
using Tollgate.Catalog;
using Tollgate.Invoicing;
using Tollgate.Storage;

namespace Tollgate.Web.Pages.Console;

/// <summary>One invoice: its lines and payments; finalize, record a payment, void; download as CSV, JSON or a printable page.</summary>
internal sealed class InvoiceModel(IInvoiceStore invoices, InvoiceService service, CatalogState catalog) : ConsolePage
{
    public InvoiceDto Invoice { get; private set; } = null!;

    public string CustomerName { get; private set; } = "";

    public async Task<IActionResult> OnGetAsync(string id, CancellationToken cancellationToken)
    {
        if (await invoices.GetAsync(id, cancellationToken) is not { } invoice) return NotFound();
        Invoice = invoice.ToDto(await invoices.PaymentsAsync(id, cancellationToken));
        CustomerName = catalog.Current.Customers.GetValueOrDefault(invoice.CustomerId)?.Name ?? invoice.CustomerId;
        return Page();
    }

    /// <summary>The admin API's export formats, for a signed-in operator's browser.</summary>
    public async Task<IActionResult> OnGetDownloadAsync(string id, string? format, CancellationToken cancellationToken)
    {
        if (await invoices.GetAsync(id, cancellationToken) is not { } invoice) return NotFound();
        var payments = await invoices.PaymentsAsync(id, cancellationToken);
        var name = invoice.Number ?? $"draft-{invoice.Id}";
        switch (format)
        {
            case "csv":
                return File(InvoiceExport.Csv(invoice), "text/csv; charset=utf-8", $"{name}.csv");
            case "json":
                return File(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(invoice.ToDto(payments), AdminJson.Default.InvoiceDto), "application/json", $"{name}.json");
            case "html":
                // The printable page carries its own stylesheet and no script.
                Response.Headers.ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'";
                var customer = catalog.Current.Customers.GetValueOrDefault(invoice.CustomerId)?.Name ?? invoice.CustomerId;
                return Content(InvoiceExport.Html(invoice, customer, payments), "text/html; charset=utf-8");
            default:
                return BadRequest();
        }
    }

    [ConsoleScope(AdminScopes.Billing)]
    public async Task<IActionResult> OnPostFinalizeAsync(string id, CancellationToken cancellationToken) =>
        Done(await service.FinalizeAsync(id, User, cancellationToken), i => $"Invoice finalized as {i.Number}.", null, new { id });

    [ConsoleScope(AdminScopes.Billing)]
    public async Task<IActionResult> OnPostPayAsync(string id, string? amount, string? reference, CancellationToken cancellationToken) =>
        Done(await service.PayAsync(id, new PaymentRequest(amount?.Trim(), reference?.Trim()), User, cancellationToken),
            p => p.Recorded ? $"Payment recorded; status {p.Invoice.Status}." : "That reference was already recorded: nothing changed.", null, new { id });

    [ConsoleScope(AdminScopes.Billing)]
    public async Task<IActionResult> OnPostVoidAsync(string id, string? reason, CancellationToken cancellationToken) =>
        Done(await service.VoidAsync(id, new VoidRequest(reason?.Trim()), User, cancellationToken),
            i => i.CreditNoteNumber is { } note ? $"Invoice voided by credit note {note}." : "Invoice voided.", null, new { id });
}
