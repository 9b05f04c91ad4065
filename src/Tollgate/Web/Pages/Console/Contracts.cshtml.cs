using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Tollgate.Admin;
using Tollgate.Billing.Catalog;
using Tollgate.Billing.Contracts;
using Tollgate.Catalog;
using Tollgate.Contracts;

namespace Tollgate.Web.Pages.Console;

/// <summary>Every contract with its status and this month's commitment progress; a new contract (scope <c>billing</c>) through <see cref="ContractService"/>.</summary>
internal sealed class ContractsModel(ContractService contracts, CatalogState catalog, TimeProvider time) : ConsolePage
{
    public IReadOnlyList<(Contract Contract, ContractStatus Status, ContractProgress? Progress)> Rows { get; private set; } = [];

    public IReadOnlyList<CustomerEntry> Postpaid { get; private set; } = [];

    public IReadOnlyList<string> GatedModels { get; private set; } = [];

    public DateTimeOffset Now { get; private set; }

    public string CustomerName(string id) => catalog.Current.Customers.GetValueOrDefault(id)?.Name ?? id;

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Now = time.GetUtcNow();
        var rows = new List<(Contract, ContractStatus, ContractProgress?)>();
        foreach (var c in contracts.All.Reverse())
        {
            var status = c.StatusAt(Now);
            rows.Add((c, status, status == ContractStatus.Active ? await contracts.ProgressAsync(c, cancellationToken) : null));
        }
        Rows = rows;
        Postpaid = [.. catalog.Current.Customers.Values.Where(c => c.BillingMode == BillingMode.Postpaid).OrderBy(c => c.Name, StringComparer.OrdinalIgnoreCase)];
        GatedModels = [.. catalog.Current.ModelsInOrder.Where(m => m.Tier == ModelTier.Gated).Select(m => m.Id)];
    }

    [ConsoleScope(AdminScopes.Billing)]
    public async Task<IActionResult> OnPostCreateAsync(string? customerId, string? startsOn, string? endsOn, string? commitment, string? discount,
        string[]? entitled, CancellationToken cancellationToken)
    {
        if (!Day(startsOn, "start", out var starts) || !Day(endsOn, "end", out var ends)) return RedirectToPage();
        try
        {
            var contract = await contracts.CreateAsync(
                new ContractRequest(customerId, starts, ends, commitment?.Trim(), string.IsNullOrWhiteSpace(discount) ? null : discount.Trim(), null, entitled ?? []),
                Actor, cancellationToken);
            Notice = $"Contract {contract.Id} created.";
            return RedirectToPage("/Console/Contract", new { id = contract.Id });
        }
        catch (ContractRefusedException ex)
        {
            Problem = ex.Error.Message;
            return RedirectToPage();
        }
    }

    /// <summary>A date field as the start of that UTC day; empty is allowed (the service's default applies).</summary>
    private bool Day(string? text, string what, out DateTimeOffset? day)
    {
        day = null;
        if (string.IsNullOrWhiteSpace(text)) return true;
        if (DateOnly.TryParseExact(text.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed))
        {
            day = new DateTimeOffset(parsed.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            return true;
        }
        Problem = $"The {what} date must be written YYYY-MM-DD.";
        return false;
    }
}
