using System.CommandLine;
using System.Globalization;
using Tollgate.Admin;
using Tollgate.Billing;
using Tollgate.Billing.Economics;

namespace Tollgate.Cli;

/// <summary>
/// <c>tollgate economics simulate</c>: a local calculation, no server needed. Without <c>--months</c>
/// it answers how many queries a month a plan price pays for; with it, month by month revenue,
/// cost and margin as prices, costs and usage change.
/// </summary>
internal static class SimulateCommand
{
    /// <summary>Multiples of the cost per token shown beside a break-even: what if real costs are higher or lower.</summary>
    private static readonly decimal[] CostMultiples = [0.5m, 1m, 2m, 5m, 10m];

    private static readonly Column<ScenarioMonthDto>[] MonthColumns =
    [
        Column<ScenarioMonthDto>.Right("Month", m => m.Month.ToString(CultureInfo.InvariantCulture)),
        Column<ScenarioMonthDto>.Right("Price", m => "$" + Round(m.Price)),
        Column<ScenarioMonthDto>.Right("Cost /1M", m => "$" + Round(m.CostPerMtok)),
        Column<ScenarioMonthDto>.Right("Tokens", m => Cell.Number((long)Math.Round(Money.Parse(m.Tokens)))),
        Column<ScenarioMonthDto>.Right("Revenue", m => Cell.Dollars(m.Revenue)),
        Column<ScenarioMonthDto>.Right("Cost", m => Cell.Dollars(m.Cost)),
        Column<ScenarioMonthDto>.Right("Margin", m => Cell.Dollars(m.Margin)),
        Column<ScenarioMonthDto>.Right("Margin %", m => Cell.Percent(m.MarginPercent)),
        Column<ScenarioMonthDto>.Right("Cumulative", m => Cell.Dollars(m.CumulativeMargin)),
    ];

    public static Command Create(ClientVerbs cli)
    {
        var planPrice = Text("--plan-price", "A flat monthly price, in dollars (e.g. 20).");
        var pricePerMtok = Text("--price-per-mtok", "Scenario: revenue per million tokens instead of a plan price.");
        var cost = Text("--cost-per-mtok", "What serving a million tokens really costs, in dollars (e.g. 0.03).");
        cost.Required = true;
        var tokensPerQuery = new Option<long?>("--tokens-per-query") { Description = "Tokens (input and output) in one query (e.g. 10000)." };
        var queriesPerMonth = new Option<long?>("--queries-per-month") { Description = "Scenario: queries in the first month (with --tokens-per-query)." };
        var tokensPerMonth = Text("--tokens-per-month", "Scenario: tokens in the first month (instead of queries × tokens per query).");
        var months = new Option<int?>("--months") { Description = $"Run a scenario over this many months (1 to {Scenario.MaxMonths}) instead of a break-even." };
        var priceChange = Text("--price-change", "Scenario: percent the price changes each month (-5 is a price war).");
        var costChange = Text("--cost-change", "Scenario: percent the cost per token changes each month (e.g. -10).");
        var usageGrowth = Text("--usage-growth", "Scenario: percent usage grows each month (e.g. 20).");

        return cli.Local("simulate", "What-if pricing, computed locally: a plan's break-even in queries, or a scenario over months.", (result, output) =>
        {
            if (result.GetValue(months) is not { } count)
            {
                var breakEven = EconomicsMapping.Read(new BreakEvenRequest(result.GetValue(planPrice), result.GetValue(cost), result.GetValue(tokensPerQuery)),
                    out var error) ?? throw Refused(error!);
                output.Document(EconomicsMapping.ToDto(breakEven), AdminJson.Default.BreakEvenDto, dto => ShowBreakEven(output, breakEven, dto));
                return;
            }
            var tokens = result.GetValue(tokensPerMonth);
            if (tokens is null && result.GetValue(queriesPerMonth) is { } queries)
            {
                var perQuery = result.GetValue(tokensPerQuery) ?? throw CliFailure.Invalid("--queries-per-month needs --tokens-per-query.");
                tokens = (queries * perQuery).ToString(CultureInfo.InvariantCulture);
            }
            if (tokens is null) throw CliFailure.Invalid("A scenario needs the first month's usage.", "Give --tokens-per-month, or --queries-per-month with --tokens-per-query.");
            var scenario = EconomicsMapping.Read(new ScenarioRequest(count, result.GetValue(cost), tokens, result.GetValue(pricePerMtok), result.GetValue(planPrice),
                result.GetValue(priceChange), result.GetValue(costChange), result.GetValue(usageGrowth)), out var problem) ?? throw Refused(problem!);
            output.Document(EconomicsMapping.ToDto(scenario), AdminJson.Default.ScenarioDto, dto => ShowScenario(output, dto));
        }, planPrice, pricePerMtok, cost, tokensPerQuery, queriesPerMonth, tokensPerMonth, months, priceChange, costChange, usageGrowth);
    }

    private static void ShowBreakEven(CliOutput output, BreakEven breakEven, BreakEvenDto dto)
    {
        output.Details("Break-even",
            ("Plan price", $"${Money.Format(breakEven.PlanPrice)} a month"),
            ("Cost to serve", $"${dto.CostPerMtok} per 1M tokens, {Cell.Number(dto.TokensPerQuery)} tokens a query: ${dto.CostPerQuery} a query"),
            ("Break-even", dto.QueriesPerMonth is { } queries
                ? $"[bold]{Cell.Number(queries)} queries a month[/] ({Money.Parse(dto.QueriesPerDay!).ToString("#,0.##", CultureInfo.InvariantCulture)} a day over 30 days); the next query loses money"
                : "[green]never: tokens cost nothing[/]"));
        if (breakEven.CostPerMillion == 0) return;
        output.Table(CostMultiples.Select(m => (Multiple: m, Result: breakEven with { CostPerMillion = breakEven.CostPerMillion * m })), [
            Column<(decimal Multiple, BreakEven Result)>.Right("Cost /1M tokens", r => "$" + Money.Format(r.Result.CostPerMillion)),
            Column<(decimal Multiple, BreakEven Result)>.Right("× today", r => Money.Format(r.Multiple)),
            Column<(decimal Multiple, BreakEven Result)>.Right("Queries a month", r => Cell.Number(r.Result.QueriesPerMonth ?? 0)),
        ], "If the real cost were different");
    }

    private static void ShowScenario(CliOutput output, ScenarioDto dto)
    {
        output.Table(dto.Data, MonthColumns,
            $"{dto.Months} months: price {Signed(dto.PriceChange)}%, cost {Signed(dto.CostChange)}%, usage {Signed(dto.UsageGrowth)}% a month");
        output.Chart("Margin by month", SeriesChart.Points(dto.Data, m => $"month {m.Month}", m => m.Margin));
        output.Details("Over the scenario",
            ("Revenue", Cell.Dollars(dto.Revenue)),
            ("Cost", Cell.Dollars(dto.Cost)),
            ("Margin", Cell.Dollars(dto.Margin)),
            ("First month at a loss", dto.FirstLossMonth is { } month ? $"[red]month {month}[/]" : "[green]none[/]"));
    }

    private static Option<string> Text(string name, string description) => new(name) { Description = description, HelpName = "number" };

    private static CliFailure Refused(ApiErrorResult error) => new(ExitCodes.Refused, error.Error.Message, error.Error.Param);

    private static string Round(string value) => Math.Round(Money.Parse(value), 6, MidpointRounding.AwayFromZero).ToString("0.######", CultureInfo.InvariantCulture);

    private static string Signed(string percent) => percent.StartsWith('-') ? percent : "+" + percent;
}
