using Tollgate.Billing.Economics;
using Tollgate.Billing.Invoices;
using Tollgate.Catalog;
using Tollgate.Storage;

namespace Tollgate.Economics;

/// <summary>Idle hours of one own-hardware backend over a report's range.</summary>
internal sealed record BackendIdle(string BackendId, string ModelId, IReadOnlyList<IdleHour> Hours)
{
    public decimal HardwareCost => Hours.Sum(h => h.HardwareCost);

    public decimal Attributed => Hours.Sum(h => h.Attributed);

    public decimal Idle => HardwareCost - Attributed;
}

internal sealed record MarginResult(DateOnly From, DateOnly To, MarginGrouping Grouping, IReadOnlyList<MarginRow> Rows, MarginRow Total, IReadOnlyList<BackendIdle> Idle)
{
    public decimal IdleCost => Idle.Sum(b => b.Idle);

    /// <summary>Gross margin after the hardware nobody used: what the range really earned.</summary>
    public decimal MarginAfterIdle => Total.GrossMargin - IdleCost;
}

internal sealed record SubscribersResult(BillingPeriod Period, Profitability Profitability);

/// <summary>Builds the unit-economics reports from storage and the catalog; the arithmetic is in <c>Tollgate.Billing.Economics</c>.</summary>
internal sealed class EconomicsReports(IEconomicsQueries queries, CatalogState catalog, TimeProvider time)
{
    public async Task<MarginResult> MarginsAsync(MarginGrouping grouping, DateOnly from, DateOnly to, CancellationToken cancellationToken)
    {
        var (start, end) = (Start(from), Start(to));
        var usage = await queries.UsageAsync(from, to, cancellationToken);
        var fees = await FeeSharesAsync(start, end, cancellationToken);
        var promotional = await queries.PromotionalAsync(start, end, cancellationToken);
        var plans = await queries.SubscribersAsync(start, end, cancellationToken);
        var rows = MarginReport.Build(grouping, usage, fees, promotional, plans);
        return new MarginResult(from, to, grouping, rows, MarginReport.Sum(rows), await IdleAsync(start, end, cancellationToken));
    }

    /// <summary>Every own-hardware backend of the catalog, hour by hour up to now.</summary>
    public async Task<IReadOnlyList<BackendIdle>> IdleAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (to > now) to = now;
        var hardware = catalog.Current.ModelsInOrder.SelectMany(m => m.Backends).Where(b => b.CostCards.Any(c => c.Hardware is not null)).ToList();
        if (hardware.Count == 0 || to <= from) return [];
        var costs = await queries.HourlyCostAsync([.. hardware.Select(b => b.Id)], from, to, cancellationToken);
        return [.. hardware.Select(b => new BackendIdle(b.Id, b.ModelId, IdleCost.Hours(b.CostCards, from, to, costs[b.Id])))];
    }

    public async Task<SubscribersResult> SubscribersAsync(BillingPeriod period, int heaviest, CancellationToken cancellationToken)
    {
        var from = DateOnly.FromDateTime(period.Start.UtcDateTime);
        var to = DateOnly.FromDateTime(period.End.UtcDateTime);
        var subscribers = await queries.SubscribersAsync(period.Start, period.End, cancellationToken);
        var usage = (await queries.UsageAsync(from, to, cancellationToken)).Where(u => subscribers.ContainsKey(u.CustomerId)).ToLookup(u => u.CustomerId);
        var fees = (await FeeSharesAsync(period.Start, period.End, cancellationToken)).ToLookup(f => f.CustomerId);
        var promotional = (await queries.PromotionalAsync(period.Start, period.End, cancellationToken)).ToLookup(p => p.CustomerId);
        var results = subscribers.Select(s => new SubscriberResult(
            s.Key, s.Value, fees[s.Key].Sum(f => f.Amount), usage[s.Key].Sum(u => u.ChargedAmount), promotional[s.Key].Sum(p => p.Amount),
            usage[s.Key].Sum(u => u.CostToServe), usage[s.Key].Sum(u => u.Requests), usage[s.Key].Sum(u => u.Tokens.TotalTokens)));
        return new SubscribersResult(period, SubscriberProfitability.Build(results, heaviest));
    }

    /// <summary>The period's actual usage and fees re-priced under the proposal, against the plans' prices now.</summary>
    public async Task<ReplayResult> ReplayAsync(BillingPeriod period, Proposal proposal, CancellationToken cancellationToken)
    {
        var usage = await queries.UsageAsync(DateOnly.FromDateTime(period.Start.UtcDateTime), DateOnly.FromDateTime(period.End.UtcDateTime), cancellationToken);
        var fees = await FeeSharesAsync(period.Start, period.End, cancellationToken);
        var planPrices = catalog.Current.Plans.ToDictionary(p => p.Key, p => p.Value.MonthlyPrice, StringComparer.Ordinal);
        // Whole fees, not daily shares: re-pricing each share would round thirty times.
        var whole = fees.GroupBy(f => (f.CustomerId, f.PlanId)).Select(g => (g.Key.CustomerId, g.Key.PlanId, g.Sum(f => f.Amount)));
        return PriceReplay.Run(usage, whole, planPrices, proposal);
    }

    /// <summary>Fee shares of the days in [from, to).</summary>
    private async Task<List<FeeShare>> FeeSharesAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        var first = Shares.DayOf(from);
        var last = Shares.DayOf(to.AddTicks(-1));
        return [.. (await queries.FeesAsync(from, to, cancellationToken)).SelectMany(f => f.Spread()).Where(s => s.Day >= first && s.Day <= last)];
    }

    private static DateTimeOffset Start(DateOnly day) => new(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
}
