using System.Globalization;
using Tollgate.Storage;

namespace Tollgate.Web.Charts;

/// <summary>Usage totals per UTC day over a window, with empty days filled in so a chart's x axis is even.</summary>
internal sealed record UsageByDay(IReadOnlyList<string> Days, IReadOnlyList<UsageTotals> Totals)
{
    public static async Task<UsageByDay> ReadAsync(IUsageQueries usage, DateTimeOffset now, int days, string? customerId, CancellationToken cancellationToken)
    {
        // Whole days, today included: the window ends at the coming midnight, not at this instant.
        var end = new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero).AddDays(1);
        var start = end.AddDays(-days);
        var rows = (await usage.SummarizeAsync(new UsageFilter(CustomerId: customerId, From: start, To: end), UsageGrouping.Day, cancellationToken))
            .ToDictionary(r => r.Group, StringComparer.Ordinal);
        var keys = Enumerable.Range(0, days).Select(i => start.AddDays(i).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)).ToList();
        return new UsageByDay(
            [.. keys.Select(k => k[5..])],
            [.. keys.Select(k => rows.GetValueOrDefault(k) ?? new UsageTotals(k, 0, 0, 0, 0, 0, 0, 0))]);
    }

    public ChartSeries Series(string name, string cssClass, Func<UsageTotals, decimal> value) => new(name, cssClass, [.. Totals.Select(value)]);
}
