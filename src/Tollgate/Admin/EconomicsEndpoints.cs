using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Tollgate.Billing.Economics;
using Tollgate.Billing.Invoices;
using Tollgate.Billing.Pricing;
using Tollgate.Economics;
using Tollgate.Hosting;
using Tollgate.Storage;

namespace Tollgate.Admin;

/// <summary>
/// Unit economics: margins by day, model, backend, customer or plan; idle cost of own hardware;
/// subscriber profitability; and the what-if simulator (break-even, scenarios over months, replay
/// of a past period under proposed prices). Reports change nothing, so they need only <c>read</c>.
/// </summary>
internal static class EconomicsEndpoints
{
    public const int MaxDays = 366;

    public static void MapEconomics(this RouteGroupBuilder admin)
    {
        var read = AdminScopes.Policy(AdminScopes.Read);
        admin.MapGet("/economics/margins", MarginsAsync).RequireAuthorization(read);
        admin.MapGet("/economics/idle", IdleAsync).RequireAuthorization(read);
        admin.MapGet("/economics/subscribers", SubscribersAsync).RequireAuthorization(read);
        admin.MapPost("/economics/break-even", BreakEven).RequireAuthorization(read);
        admin.MapPost("/economics/scenario", Scenario).RequireAuthorization(read);
        admin.MapPost("/economics/replay", ReplayAsync).RequireAuthorization(read);
    }

    private static async Task<Results<Ok<MarginsDto>, ApiErrorResult>> MarginsAsync(
        EconomicsReports reports, TimeProvider time, [FromQuery(Name = "group_by")] string? groupBy, DateTimeOffset? from, DateTimeOffset? to,
        CancellationToken cancellationToken)
    {
        var grouping = MarginGrouping.Day;
        if (groupBy is not null && !StoredNames.TryParse(groupBy, out grouping))
            return ApiErrorResult.Invalid("'group_by' must be one of: day, model, backend, customer, plan.", "group_by");
        if (Days(time, from, to, out var first, out var end) is { } error) return error;
        return TypedResults.Ok(EconomicsMapping.ToDto(await reports.MarginsAsync(grouping, first, end, cancellationToken)));
    }

    private static async Task<Results<Ok<IdleDto>, ApiErrorResult>> IdleAsync(
        EconomicsReports reports, TimeProvider time, DateTimeOffset? from, DateTimeOffset? to, CancellationToken cancellationToken)
    {
        if (Days(time, from, to, out var first, out var end) is { } error) return error;
        var (start, stop) = (Start(first), Start(end));
        var idle = await reports.IdleAsync(start, stop, cancellationToken);
        return TypedResults.Ok(new IdleDto(start, stop, [.. idle.Select(b => EconomicsMapping.ToDto(b, hourly: true))]));
    }

    private static async Task<Results<Ok<SubscribersDto>, ApiErrorResult>> SubscribersAsync(
        EconomicsReports reports, TimeProvider time, string? period, int? top, CancellationToken cancellationToken)
    {
        var month = BillingPeriod.Of(time.GetUtcNow());
        if (period is not null && !BillingPeriod.TryParse(period, out month))
            return ApiErrorResult.Invalid("'period' must be a month written YYYY-MM.", "period");
        if (top is < 1 or > 100) return ApiErrorResult.Invalid("'top' must be from 1 to 100.", "top");
        return TypedResults.Ok(EconomicsMapping.ToDto(await reports.SubscribersAsync(month, top ?? 10, cancellationToken)));
    }

    private static Results<Ok<BreakEvenDto>, ApiErrorResult> BreakEven(BreakEvenRequest? body)
    {
        if (body is null) return ApiErrorResult.Invalid("A JSON body is required.", "body");
        if (EconomicsMapping.Read(body, out var error) is not { } breakEven) return error!;
        return TypedResults.Ok(EconomicsMapping.ToDto(breakEven));
    }

    private static Results<Ok<ScenarioDto>, ApiErrorResult> Scenario(ScenarioRequest? body)
    {
        if (body is null) return ApiErrorResult.Invalid("A JSON body is required.", "body");
        if (EconomicsMapping.Read(body, out var error) is not { } scenario) return error!;
        return TypedResults.Ok(EconomicsMapping.ToDto(scenario));
    }

    private static async Task<Results<Ok<ReplayDto>, ApiErrorResult>> ReplayAsync(
        ReplayRequest? body, EconomicsReports reports, Catalog.CatalogState catalog, IOptions<MoneyBounds> bounds, TimeProvider time,
        CancellationToken cancellationToken)
    {
        if (body is null) return ApiErrorResult.Invalid("A JSON body is required.", "body");
        var period = BillingPeriod.Of(time.GetUtcNow()).Previous;
        if (body.Period is not null && !BillingPeriod.TryParse(body.Period, out period))
            return ApiErrorResult.Invalid("'period' must be a month written YYYY-MM.", "period");
        var prices = new Dictionary<string, TokenRates>(StringComparer.Ordinal);
        foreach (var (model, dto) in body.Prices ?? new Dictionary<string, RatesDto>())
        {
            if (!catalog.Current.Models.ContainsKey(model)) return ApiErrorResult.Invalid($"No such model: '{model}'.", $"prices.{model}");
            if (RatesParser.Read(dto, $"prices.{model}", bounds.Value.MaxPrice, out var error) is not { } rates) return error!;
            prices[model] = rates;
        }
        var planPrices = new Dictionary<string, decimal>(StringComparer.Ordinal);
        foreach (var (plan, text) in body.PlanPrices ?? new Dictionary<string, string>())
        {
            if (!catalog.Current.Plans.ContainsKey(plan)) return ApiErrorResult.Invalid($"No such plan: '{plan}'.", $"plan_prices.{plan}");
            if (!Billing.Money.TryParse(text, out var price) || !Billing.Money.IsValidRate(price))
                return ApiErrorResult.Invalid($"'plan_prices.{plan}' must be a non-negative decimal string with at most 6 decimals.", $"plan_prices.{plan}");
            planPrices[plan] = price;
        }
        if (prices.Count == 0 && planPrices.Count == 0)
            return ApiErrorResult.Invalid("Propose at least one model's rates ('prices') or one plan's price ('plan_prices').", "prices");
        var result = await reports.ReplayAsync(period, new Proposal(prices, planPrices), cancellationToken);
        return TypedResults.Ok(EconomicsMapping.ToDto(period.ToString(), result));
    }

    /// <summary>Whole UTC days: <c>from</c> rounds down, <c>to</c> up; by default the last 30 days, today included.</summary>
    private static ApiErrorResult? Days(TimeProvider time, DateTimeOffset? from, DateTimeOffset? to, out DateOnly first, out DateOnly end)
    {
        var today = DateOnly.FromDateTime(time.UtcNowStored().UtcDateTime);
        end = to is { } t ? RoundUp(t) : today.AddDays(1);
        first = from is { } f ? DateOnly.FromDateTime(f.UtcDateTime) : end.AddDays(-30);
        if (first >= end) return ApiErrorResult.Invalid("'from' must be before 'to'.", "from");
        if (end.DayNumber - first.DayNumber > MaxDays) return ApiErrorResult.Invalid($"A report covers at most {MaxDays} days.", "from");
        return null;
    }

    private static DateOnly RoundUp(DateTimeOffset at)
    {
        var day = DateOnly.FromDateTime(at.UtcDateTime);
        return at.UtcDateTime.TimeOfDay == TimeSpan.Zero ? day : day.AddDays(1);
    }

    private static DateTimeOffset Start(DateOnly day) => new(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
}
