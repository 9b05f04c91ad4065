using Microsoft.AspNetCore.Mvc;
using Tollgate.Admin;
using Tollgate.Billing.Contracts;
using Tollgate.Catalog;
using Tollgate.Contracts;

namespace Tollgate.Web.Pages.Console;

/// <summary>One contract: its terms, commitment progress this period (the admin API's <see cref="ContractProgress"/>), and cancelling it (scope <c>billing</c>).</summary>
internal sealed class ContractModel(ContractService contracts, CatalogState catalog, TimeProvider time) : ConsolePage
{
    public Contract Contract { get; private set; } = null!;

    public ContractStatus Status { get; private set; }

    public ContractProgress Progress { get; private set; } = null!;

    public string CustomerName => catalog.Current.Customers.GetValueOrDefault(Contract.CustomerId)?.Name ?? Contract.CustomerId;

    public async Task<IActionResult> OnGetAsync(string id, CancellationToken cancellationToken)
    {
        try
        {
            Contract = contracts.Get(id);
        }
        catch (ContractRefusedException)
        {
            return NotFound();
        }
        Status = Contract.StatusAt(time.GetUtcNow());
        Progress = await contracts.ProgressAsync(Contract, cancellationToken);
        return Page();
    }

    [ConsoleScope(AdminScopes.Billing)]
    public async Task<IActionResult> OnPostCancelAsync(string id, CancellationToken cancellationToken)
    {
        try
        {
            var cancelled = await contracts.CancelAsync(id, Actor, cancellationToken);
            Notice = $"Contract {cancelled.Id} cancelled; its last month's commitment is prorated to now.";
        }
        catch (ContractRefusedException ex)
        {
            Problem = ex.Error.Message;
        }
        return RedirectToPage(new { id });
    }
}
