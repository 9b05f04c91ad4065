using Microsoft.AspNetCore.Mvc;
using Tollgate.Admin;
using Tollgate.Admin.Services;
using Tollgate.Billing.Invoices;
using Tollgate.Catalog;
using Tollgate.Storage;

namespace Tollgate.Web.Pages.Console;

/// <summary>Invoices by period and status; starting an invoice run (draft, or finalizing for an ended month).</summary>
internal sealed class InvoicesModel(IInvoiceStore invoices, InvoiceService service, CatalogState catalog, TimeProvider time) : ConsolePage
{
    [BindProperty(SupportsGet = true)]
    public string? Period { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Status { get; set; }

    public IReadOnlyList<InvoiceRecord> Found { get; private set; } = [];

    public bool HasMore { get; private set; }

    /// <summary>The month that ended last: what an invoice run usually bills.</summary>
    public string LastMonth => BillingPeriod.Of(time.GetUtcNow()).Previous.ToString();

    public string CustomerName(string id) => catalog.Current.Customers.GetValueOrDefault(id)?.Name ?? id;

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        BillingPeriod? period = BillingPeriod.TryParse(Period, out var p) ? p : null;
        InvoiceStatus? status = StoredNames.TryParse<InvoiceStatus>(Status ?? "", out var s) ? s : null;
        var page = await invoices.ListAsync(new InvoiceFilter(null, period, status), new Storage.Page(Storage.Page.MaxLimit), cancellationToken);
        Found = page.Items;
        HasMore = page.HasMore;
    }

    [ConsoleScope(AdminScopes.Billing)]
    public IActionResult OnPostRun(string? runPeriod, bool finalize)
    {
        var outcome = service.StartRun(new InvoiceRunRequest(runPeriod, finalize, null), User);
        if (outcome.Error is { } error) Problem = error.Error.Message;
        else Notice = $"Invoice run {outcome.Value!.Id} started for {outcome.Value.Period} ({outcome.Value.Customers} customers); refresh to see its invoices.";
        return RedirectToPage(new { period = runPeriod });
    }
}
