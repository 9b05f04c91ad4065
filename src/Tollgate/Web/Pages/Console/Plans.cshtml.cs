using Tollgate.Billing.Subscriptions;
using Tollgate.Catalog;
using Tollgate.Subscriptions;

namespace Tollgate.Web.Pages.Console;

/// <summary>Subscription plans (price, windows, weights, overage policy) and who subscribes to each.</summary>
internal sealed class PlansModel(CatalogState catalog) : ConsolePage
{
    public IReadOnlyList<Plan> Plans { get; private set; } = [];

    public ILookup<string, SubscriptionEntry> Subscribers { get; private set; } = Array.Empty<SubscriptionEntry>().ToLookup(s => s.Plan.Id);

    public string CustomerName(string id) => catalog.Current.Customers.GetValueOrDefault(id)?.Name ?? id;

    public void OnGet()
    {
        var snapshot = catalog.Current;
        Plans = [.. snapshot.Plans.Values.OrderBy(p => p.MonthlyPrice).ThenBy(p => p.Id, StringComparer.Ordinal)];
        Subscribers = snapshot.Subscriptions.Values.ToLookup(s => s.Plan.Id, StringComparer.Ordinal);
    }
}
