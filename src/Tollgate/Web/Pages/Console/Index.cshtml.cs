using Tollgate.Catalog;
using Tollgate.Storage;
using Tollgate.Web.Charts;
using Tollgate.Webhooks;

namespace Tollgate.Web.Pages.Console;

/// <summary>Revenue, cost to serve and margin over the last 30 days; usage by model; top customers; open distillation flags; failing webhook deliveries.</summary>
internal sealed class IndexModel(IUsageQueries usage, CatalogState catalog, IWebhookStore webhooks, IFlagStore flags, TimeProvider time) : ConsolePage
{
    public const int Days = 30;

    public UsageByDay Daily { get; private set; } = new([], []);

    public IReadOnlyList<UsageTotals> ByModel { get; private set; } = [];

    public IReadOnlyList<(string Id, string Name, UsageTotals Totals)> TopCustomers { get; private set; } = [];

    public IReadOnlyList<WebhookDelivery> FailedDeliveries { get; private set; } = [];

    /// <summary>Open distillation flags, counted up to <see cref="FlagsCounted"/>.</summary>
    public int OpenFlags { get; private set; }

    public const int FlagsCounted = 500;

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        Daily = await UsageByDay.ReadAsync(usage, now, Days, null, cancellationToken);
        var window = new UsageFilter(From: now.AddDays(-Days), To: now.AddSeconds(1));
        ByModel = [.. (await usage.SummarizeAsync(window, UsageGrouping.Model, cancellationToken)).OrderByDescending(r => r.Requests)];
        var customers = catalog.Current.Customers;
        TopCustomers = [.. (await usage.SummarizeAsync(window, UsageGrouping.Customer, cancellationToken))
            .OrderByDescending(r => r.ChargedAmount).ThenByDescending(r => r.Requests).Take(10)
            .Select(r => (r.Group, customers.GetValueOrDefault(r.Group)?.Name ?? r.Group, r))];
        OpenFlags = (await flags.ListAsync(Distillation.FlagStatus.Open, null, FlagsCounted, cancellationToken)).Count;
        FailedDeliveries = (await webhooks.ListDeliveriesAsync(new DeliveryFilter(Status: WebhookDeliveryStatus.Failed), new Page(10), cancellationToken)).Items;
    }
}
