using System.Globalization;
using Tollgate.Billing.Economics;
using Tollgate.Billing.Invoices;
using Tollgate.Catalog;
using Tollgate.Economics;

namespace Tollgate.Web.Pages.Console;

/// <summary>
/// Unit economics from the same reports as <c>/admin/v1/economics</c>: margins per day over the
/// last 30 days (subscription fees included), and for a month each subscriber's margin per plan —
/// the ones a flat price loses money on highlighted.
/// </summary>
internal sealed class EconomicsModel(EconomicsReports reports, CatalogState catalog, TimeProvider time) : ConsolePage
{
    public const int Days = 30;

    public const int Heaviest = 10;

    public string Period { get; private set; } = "";

    public IReadOnlyList<string> MarginDays { get; private set; } = [];

    public IReadOnlyList<MarginRow> MarginRows { get; private set; } = [];

    public MarginResult Margins { get; private set; } = null!;

    public SubscribersResult Subscribers { get; private set; } = null!;

    public string CustomerName(string id) => catalog.Current.Customers.GetValueOrDefault(id)?.Name ?? id;

    public async Task OnGetAsync(string? period, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var month = BillingPeriod.Of(now);
        if (period is not null && !BillingPeriod.TryParse(period, out month))
        {
            Problem = "The period must be a month written YYYY-MM.";
            month = BillingPeriod.Of(now);
        }
        Period = month.ToString();
        var end = DateOnly.FromDateTime(now.UtcDateTime).AddDays(1);
        var first = end.AddDays(-Days);
        Margins = await reports.MarginsAsync(MarginGrouping.Day, first, end, cancellationToken);
        var byDay = Margins.Rows.ToDictionary(r => r.Group, StringComparer.Ordinal);
        var days = Enumerable.Range(0, Days).Select(i => MarginReport.Day(first.AddDays(i))).ToList();
        MarginDays = [.. days.Select(d => d[5..])];
        MarginRows = [.. days.Select(d => byDay.GetValueOrDefault(d) ?? new MarginRow(d, 0, 0, 0, 0, 0))];
        Subscribers = await reports.SubscribersAsync(month, Heaviest, cancellationToken);
    }

    /// <summary>Each plan's subscribers, best margin first.</summary>
    public IEnumerable<(string PlanId, IReadOnlyList<SubscriberResult> Subscribers)> ByPlan() =>
        Subscribers.Profitability.Subscribers.GroupBy(s => s.PlanId, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => (g.Key, (IReadOnlyList<SubscriberResult>)[.. g.OrderByDescending(s => s.Margin).ThenBy(s => s.CustomerId, StringComparer.Ordinal)]));

    public static string Percent(decimal? value) => value is { } v ? v.ToString("0.#", CultureInfo.InvariantCulture) + "%" : "—";
}
