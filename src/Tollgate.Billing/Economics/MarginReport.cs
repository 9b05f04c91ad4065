namespace Tollgate.Billing.Economics;

/// <summary>How margin rows are grouped. Names are part of the admin API.</summary>
public enum MarginGrouping
{
    Day,
    Model,
    Backend,
    Customer,
    Plan,
}

/// <summary>
/// Revenue against cost for one group. Revenue is what usage was charged plus subscription fees
/// (spread over the days they pay for), less what promotional credit paid.
/// </summary>
public sealed record MarginRow(string Group, long Requests, decimal UsageRevenue, decimal SubscriptionRevenue, decimal PromotionalDiscount, decimal CostToServe)
{
    public decimal Revenue => UsageRevenue + SubscriptionRevenue - PromotionalDiscount;

    public decimal GrossMargin => Revenue - CostToServe;

    /// <summary>Gross margin as a percentage of revenue, to two decimals; null without revenue.</summary>
    public decimal? MarginPercent => Percent(GrossMargin, Revenue);

    public static decimal? Percent(decimal part, decimal whole) =>
        whole == 0 ? null : Math.Round(part * 100 / whole, 2, MidpointRounding.AwayFromZero);

    public MarginRow Add(MarginRow other) => this with
    {
        Requests = Requests + other.Requests,
        UsageRevenue = UsageRevenue + other.UsageRevenue,
        SubscriptionRevenue = SubscriptionRevenue + other.SubscriptionRevenue,
        PromotionalDiscount = PromotionalDiscount + other.PromotionalDiscount,
        CostToServe = CostToServe + other.CostToServe,
    };
}

/// <summary>Sums usage, fee shares and promotional shares into margin rows, exactly in decimal.</summary>
public static class MarginReport
{
    /// <summary>The group of customers without a subscription in a by-plan report.</summary>
    public const string NoPlan = "(no plan)";

    /// <summary>In by-model and by-backend reports, fees belong to no model: they are a group of their own.</summary>
    public const string SubscriptionFees = "(subscription fees)";

    /// <summary>Usage no backend served (a request refused after metering began).</summary>
    public const string NoBackend = "(none)";

    public const string Total = "total";

    public static IReadOnlyList<MarginRow> Build(
        MarginGrouping grouping,
        IEnumerable<UsageLine> usage,
        IEnumerable<FeeShare> fees,
        IEnumerable<PromotionalShare> promotional,
        IReadOnlyDictionary<string, string> planOfCustomer)
    {
        var rows = new SortedDictionary<string, MarginRow>(StringComparer.Ordinal);
        void Add(string group, MarginRow row) => rows[group] = rows.TryGetValue(group, out var sum) ? sum.Add(row) : row with { Group = group };
        string Plan(string customerId, string? planId = null) => planId ?? planOfCustomer.GetValueOrDefault(customerId) ?? NoPlan;

        foreach (var u in usage)
        {
            var group = grouping switch
            {
                MarginGrouping.Day => Day(u.Day),
                MarginGrouping.Model => u.ModelId,
                MarginGrouping.Backend => u.BackendId.Length == 0 ? NoBackend : u.BackendId,
                MarginGrouping.Customer => u.CustomerId,
                _ => Plan(u.CustomerId),
            };
            Add(group, new MarginRow(group, u.Requests, u.ChargedAmount, 0, 0, u.CostToServe));
        }
        foreach (var f in fees)
        {
            var group = grouping switch
            {
                MarginGrouping.Day => Day(f.Day),
                MarginGrouping.Customer => f.CustomerId,
                MarginGrouping.Plan => Plan(f.CustomerId, f.PlanId),
                _ => SubscriptionFees,
            };
            Add(group, new MarginRow(group, 0, 0, f.Amount, 0, 0));
        }
        foreach (var p in promotional)
        {
            var group = grouping switch
            {
                MarginGrouping.Day => Day(p.Day),
                MarginGrouping.Model => p.ModelId ?? SubscriptionFees,
                MarginGrouping.Backend => p.BackendId is null ? SubscriptionFees : p.BackendId.Length == 0 ? NoBackend : p.BackendId,
                MarginGrouping.Customer => p.CustomerId,
                _ => Plan(p.CustomerId, p.PlanId),
            };
            Add(group, new MarginRow(group, 0, 0, 0, p.Amount, 0));
        }
        return [.. rows.Values];
    }

    public static MarginRow Sum(IEnumerable<MarginRow> rows) => rows.Aggregate(new MarginRow(Total, 0, 0, 0, 0, 0), (sum, row) => sum.Add(row) with { Group = Total });

    public static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
}
