using Microsoft.AspNetCore.Mvc;
using Tollgate.Admin;
using Tollgate.Catalog;
using Tollgate.Distillation;
using Tollgate.Storage;

namespace Tollgate.Web.Pages.Console;

/// <summary>
/// The distillation review queue: flags with their evidence (signal values and score — never
/// prompt text), the review decisions and lifting a restriction (scope <c>gates</c>), through
/// <see cref="FlagService"/> like the admin API.
/// </summary>
internal sealed class FlagsModel(IFlagStore store, FlagService flags, CatalogState catalog) : ConsolePage
{
    public const int Shown = 200;

    public static readonly string[] Statuses = ["open", "acknowledged", "dismissed", "throttled", "suspended"];

    [BindProperty(SupportsGet = true)]
    public string? Status { get; set; }

    public IReadOnlyList<DistillationFlag> Found { get; private set; } = [];

    public IReadOnlyList<GateRestriction> Restrictions { get; private set; } = [];

    public string CustomerName(string id) => catalog.Current.Customers.GetValueOrDefault(id)?.Name ?? id;

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Status ??= "open";
        FlagStatus? wanted = StoredNames.TryParse<FlagStatus>(Status, out var parsed) ? parsed : null;
        if (wanted is null) Status = "";
        Found = await store.ListAsync(wanted, null, Shown, cancellationToken);
        Restrictions = [.. catalog.Current.GateRestrictions.Values.OrderByDescending(r => r.CreatedAt)];
    }

    [ConsoleScope(AdminScopes.Gates)]
    public async Task<IActionResult> OnPostReviewAsync(string flagId, string? action, int? requestsPerMinute, string? note, CancellationToken cancellationToken) =>
        Done(await flags.ReviewAsync(flagId, new FlagReviewRequest(action, requestsPerMinute, string.IsNullOrWhiteSpace(note) ? null : note), User, cancellationToken),
            f => $"Flag {f.Id} marked {StoredNames.Of(f.Status)}.");

    [ConsoleScope(AdminScopes.Gates)]
    public async Task<IActionResult> OnPostLiftAsync(string customerId, string modelId, CancellationToken cancellationToken) =>
        Done(await flags.LiftAsync(customerId, modelId, User, cancellationToken), m => $"Restriction of {CustomerName(customerId)} on {m} lifted.");
}
