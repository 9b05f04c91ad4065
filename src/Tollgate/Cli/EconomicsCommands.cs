using System.CommandLine;
using Tollgate.Admin;

namespace Tollgate.Cli;

/// <summary>
/// <c>tollgate economics margins|idle|subscribers|simulate|replay</c>: what each sale earns against
/// what it costs. <c>simulate</c> is a local calculation; the others ask the server.
/// </summary>
internal static class EconomicsCommands
{
    private static readonly string[] Groupings = ["day", "model", "backend", "customer", "plan"];

    private static readonly Column<MarginRowDto>[] MarginColumns =
    [
        Column<MarginRowDto>.Id("Group", r => r.Group),
        Column<MarginRowDto>.Right("Requests", r => Cell.Number(r.Requests)),
        Column<MarginRowDto>.Right("Usage", r => Cell.Dollars(r.UsageRevenue)),
        Column<MarginRowDto>.Right("Subscriptions", r => Cell.Dollars(r.SubscriptionRevenue)),
        Column<MarginRowDto>.Right("Promo credit", r => Cell.Dollars(r.PromotionalDiscount)),
        Column<MarginRowDto>.Right("Revenue", r => Cell.Dollars(r.Revenue)),
        Column<MarginRowDto>.Right("Cost to serve", r => Cell.Dollars(r.CostToServe)),
        Column<MarginRowDto>.Right("Gross margin", r => Cell.Dollars(r.GrossMargin)),
        Column<MarginRowDto>.Right("Margin %", r => Cell.Percent(r.MarginPercent)),
    ];

    private static readonly Column<IdleBackendDto>[] IdleColumns =
    [
        Column<IdleBackendDto>.Id("Backend", b => b.BackendId),
        new("Model", b => Cell.Text(b.ModelId)),
        Column<IdleBackendDto>.Right("Hours", b => Cell.Number(b.Hours)),
        Column<IdleBackendDto>.Right("Hardware cost", b => Cell.Dollars(b.HardwareCost)),
        Column<IdleBackendDto>.Right("Carried by requests", b => Cell.Dollars(b.Attributed)),
        Column<IdleBackendDto>.Right("Idle cost", b => Cell.Dollars(b.Idle)),
    ];

    private static readonly Column<SubscriberDto>[] SubscriberColumns =
    [
        Column<SubscriberDto>.Id("Customer", s => s.CustomerId),
        new("Plan", s => Cell.Text(s.PlanId)),
        Column<SubscriberDto>.Right("Requests", s => Cell.Number(s.Requests)),
        Column<SubscriberDto>.Right("Tokens", s => Cell.Number(s.Tokens)),
        Column<SubscriberDto>.Right("Revenue", s => Cell.Dollars(s.Revenue)),
        Column<SubscriberDto>.Right("Cost to serve", s => Cell.Dollars(s.CostToServe)),
        Column<SubscriberDto>.Right("Margin", s => Cell.Dollars(s.Margin)),
        Column<SubscriberDto>.Right("Cost % of revenue", s => Cell.Percent(s.CostPercent)),
    ];

    private static readonly Column<PlanResultDto>[] PlanColumns =
    [
        Column<PlanResultDto>.Id("Plan", p => p.PlanId),
        Column<PlanResultDto>.Right("Subscribers", p => Cell.Number(p.Subscribers)),
        Column<PlanResultDto>.Right("Losing money", p => p.Unprofitable == 0 ? "0" : $"[red]{p.Unprofitable}[/]"),
        Column<PlanResultDto>.Right("Revenue", p => Cell.Dollars(p.Revenue)),
        Column<PlanResultDto>.Right("Cost to serve", p => Cell.Dollars(p.CostToServe)),
        Column<PlanResultDto>.Right("Margin", p => Cell.Dollars(p.Margin)),
        Column<PlanResultDto>.Right("Margin %", p => Cell.Percent(p.MarginPercent)),
    ];

    private static readonly Column<ReplayCustomerDto>[] ReplayColumns =
    [
        Column<ReplayCustomerDto>.Id("Customer", c => c.CustomerId),
        Column<ReplayCustomerDto>.Right("Paid", c => Cell.Dollars(c.CurrentRevenue)),
        Column<ReplayCustomerDto>.Right("Would pay", c => Cell.Dollars(c.ProposedRevenue)),
        Column<ReplayCustomerDto>.Right("Difference", c => Cell.Dollars(c.Difference)),
        Column<ReplayCustomerDto>.Right("Cost to serve", c => Cell.Dollars(c.CostToServe)),
        Column<ReplayCustomerDto>.Right("Margin now", c => Cell.Dollars(c.CurrentMargin)),
        Column<ReplayCustomerDto>.Right("Margin proposed", c => Cell.Dollars(c.ProposedMargin)),
    ];

    public static Command Create(ClientVerbs cli)
    {
        var groupBy = CliOptions.OneOf("--group-by", "Group by day (default), model, backend, customer or plan.", Groupings);
        var from = CliOptions.Time("--from", "From this day on (rounded down to a UTC day). Default: 30 days before --to.");
        var to = CliOptions.Time("--to", "Up to this day (rounded up to a UTC day, exclusive). Default: the end of today.");
        var period = new Option<string>("--period") { Description = "A month, YYYY-MM.", HelpName = "month" };
        var top = new Option<int?>("--top") { Description = "How many of the heaviest subscribers to list (1 to 100). Default 10." };
        var replay = new ReplayOptions();

        return cli.Group("economics", "Unit economics: margins, idle hardware, subscriber profitability, and what-if pricing.",
            cli.Verb("margins", "Revenue, cost to serve and gross margin by day, model, backend, customer or plan.", async call =>
            {
                var query = new Query().Add("group_by", call.Get(groupBy)).Add("from", call.Get(from)).Add("to", call.Get(to));
                call.Output.Result(await call.GetAsync("economics/margins", query), AdminJson.Default.MarginsDto, m => ShowMargins(call.Output, m));
            }, groupBy, from, to),
            cli.Verb("idle", "Own hardware's cost against what its requests carried: the idle capacity, backend by backend.", async call =>
            {
                var query = new Query().Add("from", call.Get(from)).Add("to", call.Get(to));
                call.Output.Result(await call.GetAsync("economics/idle", query), AdminJson.Default.IdleDto, idle => ShowIdle(call.Output, idle));
            }, from, to),
            cli.Verb("subscribers", "Each subscriber's cost to serve against what it paid in a month: who costs more than they pay.", async call =>
            {
                var query = new Query().Add("period", call.Get(period)).Add("top", call.Get(top));
                call.Output.Result(await call.GetAsync("economics/subscribers", query), AdminJson.Default.SubscribersDto, s => ShowSubscribers(call.Output, s));
            }, period, top),
            SimulateCommand.Create(cli),
            cli.Verb("replay", "Re-price a past month's actual usage under a proposed price or plan price: who would pay more, who less.", async call =>
            {
                var response = await call.SendAsync(HttpMethod.Post, "economics/replay", replay.Read(call), AdminJson.Default.ReplayRequest);
                call.Output.Result(response, AdminJson.Default.ReplayDto, r => ShowReplay(call.Output, r));
            }, replay.Symbols));
    }

    private static void ShowMargins(CliOutput output, MarginsDto m)
    {
        var title = $"Margins by {m.GroupBy}, {m.From} to {m.To} (exclusive)";
        if (m.Data.Count == 0)
        {
            output.Note($"No revenue or cost: {title}.");
            return;
        }
        output.Table([.. m.Data, m.Total], MarginColumns, title);
        if (m.GroupBy == "day") output.Chart("Gross margin by day", SeriesChart.Points(m.Data, r => r.Group, r => r.GrossMargin));
        if (m.Idle.Count > 0)
        {
            output.Table(m.Idle, IdleColumns, "Own hardware");
            output.Details("After idle hardware", ("Gross margin", Cell.Dollars(m.Total.GrossMargin)), ("Idle cost", Cell.Dollars(m.IdleCost)),
                ("Margin after idle", Cell.Dollars(m.MarginAfterIdle)));
        }
    }

    private static void ShowIdle(CliOutput output, IdleDto idle)
    {
        if (idle.Data.Count == 0)
        {
            output.Note("No backend has an own-hardware cost card in this range.");
            return;
        }
        output.Table(idle.Data, IdleColumns, $"Idle cost, {Cell.Time(idle.From)} to {Cell.Time(idle.To)}");
        var byDay = idle.Data.SelectMany(b => b.HourlyDetail ?? [])
            .GroupBy(h => h.Hour.UtcDateTime.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => (g.Key, g.Sum(h => Billing.Money.Parse(h.Idle))))
            .ToList();
        output.Chart("Idle cost by day", byDay);
    }

    private static void ShowSubscribers(CliOutput output, SubscribersDto s)
    {
        if (s.Subscribers == 0)
        {
            output.Note($"No subscribers in {s.Period}.");
            return;
        }
        output.Details($"Subscribers, {s.Period}",
            ("Subscribers", Cell.Number(s.Subscribers)),
            ("Cost more than they pay", s.Unprofitable == 0 ? "0" : $"[red]{s.Unprofitable}[/] ({Cell.Percent(s.UnprofitablePercent)})"));
        output.Table(s.Plans, PlanColumns, "By plan");
        output.Chart("Subscribers by cost as a share of revenue",
            [.. s.Distribution.Select(b => (b.CostShareOfRevenue, (decimal)b.Subscribers))], counts: true);
        output.Table(s.Heaviest, SubscriberColumns, "Heaviest subscribers (by cost to serve)");
    }

    private static void ShowReplay(CliOutput output, ReplayDto r)
    {
        if (r.Data.Count == 0)
        {
            output.Note($"No usage or fees in {r.Period} to replay.");
            return;
        }
        output.Table(r.Data, ReplayColumns, $"Replay of {r.Period} under the proposal");
        output.Details("Totals",
            ("Revenue", $"{Cell.Dollars(r.CurrentRevenue)} → {Cell.Dollars(r.ProposedRevenue)}"),
            ("Cost to serve", Cell.Dollars(r.CostToServe)),
            ("Gross margin", $"{Cell.Dollars(r.CurrentMargin)} → {Cell.Dollars(r.ProposedMargin)}"),
            ("Customers", $"{r.PayMore} pay more, {r.PayLess} pay less, {r.Unchanged} unchanged"));
    }

    /// <summary>The proposal as options: one model's new rates and/or one plan's new price.</summary>
    private sealed class ReplayOptions
    {
        private readonly Option<string> _period = new("--period") { Description = "The month to replay, YYYY-MM. Default: last month.", HelpName = "month" };
        private readonly Option<string> _model = new("--model") { Description = "The model to re-price with --input/--output.", HelpName = "model-id" };
        private readonly Option<string> _input = new("--input") { Description = "Proposed dollars per 1M input tokens.", HelpName = "dollars" };
        private readonly Option<string> _cached = new("--cached-input") { Description = "Proposed dollars per 1M cached input tokens. Default: the input rate.", HelpName = "dollars" };
        private readonly Option<string> _output = new("--output") { Description = "Proposed dollars per 1M output tokens. Default 0.", HelpName = "dollars" };
        private readonly Option<string> _fee = new("--request-fee") { Description = "Proposed dollars per request. Default 0.", HelpName = "dollars" };
        private readonly Option<string> _plan = new("--plan") { Description = "The plan to re-price with --plan-price.", HelpName = "plan-id" };
        private readonly Option<string> _planPrice = new("--plan-price") { Description = "Proposed monthly price of --plan.", HelpName = "dollars" };

        public Symbol[] Symbols => [_period, _model, _input, _cached, _output, _fee, _plan, _planPrice];

        public ReplayRequest Read(VerbCall call)
        {
            Dictionary<string, RatesDto>? prices = null;
            if (call.Get(_model) is { } model)
            {
                if (call.Get(_input) is null) throw CliFailure.Invalid("--model needs --input (and usually --output): the proposed rates.");
                prices = new(StringComparer.Ordinal) { [model] = new RatesDto(call.Get(_input), call.Get(_cached), call.Get(_output), call.Get(_fee)) };
            }
            Dictionary<string, string>? plans = null;
            if (call.Get(_plan) is { } plan)
            {
                if (call.Get(_planPrice) is not { } price) throw CliFailure.Invalid("--plan needs --plan-price: the proposed monthly price.");
                plans = new(StringComparer.Ordinal) { [plan] = price };
            }
            if (prices is null && plans is null) throw CliFailure.Invalid("Propose something to replay.", "Give --model with --input/--output, or --plan with --plan-price.");
            return new ReplayRequest(call.Get(_period), prices, plans);
        }
    }
}
