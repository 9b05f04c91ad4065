using Tollgate.Billing;
using Tollgate.Billing.Economics;
using Tollgate.Economics;
using Tollgate.Storage;

namespace Tollgate.Admin;

/// <summary>Economics results as API documents; the CLI's local simulator writes the same documents.</summary>
internal static class EconomicsMapping
{
    public static MarginsDto ToDto(MarginResult result) => new(
        StoredNames.Of(result.Grouping), MarginReport.Day(result.From), MarginReport.Day(result.To), [.. result.Rows.Select(ToDto)], ToDto(result.Total),
        Money.Format(result.IdleCost), Money.Format(result.MarginAfterIdle), [.. result.Idle.Select(b => ToDto(b, hourly: false))]);

    public static MarginRowDto ToDto(MarginRow r) => new(
        r.Group, r.Requests, Money.Format(r.UsageRevenue), Money.Format(r.SubscriptionRevenue), Money.Format(r.PromotionalDiscount), Money.Format(r.Revenue),
        Money.Format(r.CostToServe), Money.Format(r.GrossMargin), Percent(r.MarginPercent));

    public static IdleBackendDto ToDto(BackendIdle b, bool hourly) => new(
        b.BackendId, b.ModelId, b.Hours.Count, Money.Format(b.HardwareCost), Money.Format(b.Attributed), Money.Format(b.Idle),
        hourly ? [.. b.Hours.Select(h => new IdleHourDto(h.Hour, Money.Format(h.HardwareCost), Money.Format(h.Attributed), Money.Format(h.Idle)))] : null);

    public static SubscribersDto ToDto(SubscribersResult result)
    {
        var p = result.Profitability;
        return new SubscribersDto(result.Period.ToString(), p.Subscribers.Count, p.Unprofitable, Percent(p.UnprofitablePercent),
            [.. p.Distribution.Select(b => new CostBucketDto(b.Label, b.Subscribers))],
            [.. p.Plans.Select(r => new PlanResultDto(r.PlanId, r.Subscribers, r.Unprofitable, Money.Format(r.Revenue), Money.Format(r.CostToServe),
                Money.Format(r.Margin), Percent(r.MarginPercent)))],
            [.. p.Heaviest.Select(ToDto)], [.. p.Subscribers.Select(ToDto)]);
    }

    public static SubscriberDto ToDto(SubscriberResult s) => new(
        s.CustomerId, s.PlanId, s.Requests, s.Tokens, Money.Format(s.Fees), Money.Format(s.UsageRevenue), Money.Format(s.PromotionalDiscount),
        Money.Format(s.Revenue), Money.Format(s.CostToServe), Money.Format(s.Margin), Percent(s.CostPercent), s.Unprofitable);

    public static BreakEvenDto ToDto(BreakEven b) => new(
        Money.Format(b.PlanPrice), Money.Format(b.CostPerMillion), b.TokensPerQuery, Money.Format(b.CostPerQuery), b.QueriesPerMonth, b.TokensPerMonth,
        b.QueriesPerDay is { } perDay ? Money.Format(perDay) : null);

    public static ScenarioDto ToDto(Scenario scenario)
    {
        var months = scenario.Run();
        var margin = months.Sum(m => m.Margin);
        return new ScenarioDto(scenario.PlanPrice is null ? "per_token" : "plan", scenario.Months, Money.Format(scenario.PriceChangePercent),
            Money.Format(scenario.CostChangePercent), Money.Format(scenario.UsageGrowthPercent),
            [.. months.Select(m => new ScenarioMonthDto(m.Month, Money.Format(m.Price), Money.Format(m.CostPerMillion), Money.Format(m.Tokens),
                Money.Format(m.Revenue), Money.Format(m.Cost), Money.Format(m.Margin), Percent(m.MarginPercent), Money.Format(m.CumulativeMargin)))],
            Money.Format(months.Sum(m => m.Revenue)), Money.Format(months.Sum(m => m.Cost)), Money.Format(margin),
            months.FirstOrDefault(m => m.Margin < 0)?.Month);
    }

    public static ReplayDto ToDto(string period, ReplayResult r) => new(
        period,
        [.. r.Customers.Select(c => new ReplayCustomerDto(c.CustomerId, Money.Format(c.CurrentRevenue), Money.Format(c.ProposedRevenue), Money.Format(c.Difference),
            Money.Format(c.CostToServe), Money.Format(c.CurrentMargin), Money.Format(c.ProposedMargin)))],
        Money.Format(r.CurrentRevenue), Money.Format(r.ProposedRevenue), Money.Format(r.CostToServe), Money.Format(r.CurrentMargin), Money.Format(r.ProposedMargin),
        r.PayMore, r.PayLess, r.Unchanged);

    /// <summary>Reads the simulator's inputs; the first problem is named by its API field.</summary>
    public static BreakEven? Read(BreakEvenRequest body, out ApiErrorResult? error)
    {
        error = null;
        if (!Decimal(body.PlanPrice, "plan_price", out var price, out error) || !Decimal(body.CostPerMtok, "cost_per_mtok", out var cost, out error)) return null;
        var breakEven = new BreakEven(price, cost, body.TokensPerQuery ?? 0);
        return Valid(breakEven.Validate(), out error) ? breakEven : null;
    }

    public static Scenario? Read(ScenarioRequest body, out ApiErrorResult? error)
    {
        error = null;
        if (!Decimal(body.CostPerMtok, "cost_per_mtok", out var cost, out error)
            || !Decimal(body.TokensPerMonth, "tokens_per_month", out var tokens, out error)
            || !Optional(body.PricePerMtok, "price_per_mtok", out var perToken, out error)
            || !Optional(body.PlanPrice, "plan_price", out var plan, out error)
            || !Optional(body.PriceChange, "price_change", out var priceChange, out error)
            || !Optional(body.CostChange, "cost_change", out var costChange, out error)
            || !Optional(body.UsageGrowth, "usage_growth", out var growth, out error))
            return null;
        var scenario = new Scenario(body.Months ?? 12, cost, tokens, perToken, plan, priceChange ?? 0, costChange ?? 0, growth ?? 0);
        return Valid(scenario.Validate(), out error) ? scenario : null;
    }

    private static bool Valid(string? problem, out ApiErrorResult? error)
    {
        error = problem is null ? null : ApiErrorResult.Invalid($"'{problem.Replace(": ", "' must be: ", StringComparison.Ordinal)}.", problem[..problem.IndexOf(':', StringComparison.Ordinal)]);
        return error is null;
    }

    private static bool Decimal(string? text, string param, out decimal value, out ApiErrorResult? error)
    {
        error = null;
        if (Money.TryParse(text, out value)) return true;
        error = ApiErrorResult.Invalid($"'{param}' is required, as a decimal string.", param);
        return false;
    }

    private static bool Optional(string? text, string param, out decimal? value, out ApiErrorResult? error)
    {
        value = null;
        error = null;
        if (text is null) return true;
        if (!Decimal(text, param, out var parsed, out error)) return false;
        value = parsed;
        return true;
    }

    private static string? Percent(decimal? value) => value is { } v ? Money.Format(v) : null;
}
