using Microsoft.AspNetCore.Mvc;
using Tollgate.Admin;
using Tollgate.Admin.Services;
using Tollgate.Catalog;

namespace Tollgate.Web.Pages.Console;

/// <summary>Find a customer by name or id; create one (the admin API's validation and audit, through <see cref="CustomerService"/>).</summary>
internal sealed class CustomersModel(CatalogState catalog, CustomerService customers) : ConsolePage
{
    public const int Shown = 200;

    [BindProperty(SupportsGet = true, Name = "q")]
    public string? Query { get; set; }

    public IReadOnlyList<CustomerEntry> Found { get; private set; } = [];

    public int Total { get; private set; }

    public void OnGet()
    {
        var all = catalog.Current.Customers.Values
            .Where(c => string.IsNullOrWhiteSpace(Query)
                || c.Name.Contains(Query.Trim(), StringComparison.OrdinalIgnoreCase)
                || c.Id.Contains(Query.Trim(), StringComparison.OrdinalIgnoreCase))
            .OrderByDescending(c => c.CreatedAt).ThenBy(c => c.Id, StringComparer.Ordinal)
            .ToList();
        Total = all.Count;
        Found = all.Take(Shown).ToList();
    }

    [ConsoleScope(AdminScopes.Billing)]
    public async Task<IActionResult> OnPostCreateAsync(string? name, string? billingMode, string? creditLimit, CancellationToken cancellationToken)
    {
        var outcome = await customers.CreateAsync(
            new CustomerRequest(name, billingMode, string.IsNullOrWhiteSpace(creditLimit) ? null : creditLimit.Trim()), User, cancellationToken);
        if (outcome.Error is { } error)
        {
            Problem = error.Error.Message;
            return RedirectToPage();
        }
        Notice = $"Customer {outcome.Value!.Name} created.";
        return RedirectToPage("/Console/Customer", new { id = outcome.Value.Id });
    }
}
