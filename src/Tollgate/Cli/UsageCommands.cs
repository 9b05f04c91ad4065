using System.CommandLine;
using System.Globalization;
using Tollgate.Admin;

namespace Tollgate.Cli;

/// <summary><c>tollgate usage list|summary</c>: metered requests, one by one or totalled, with what they earned and cost.</summary>
internal static class UsageCommands
{
    private static readonly string[] Groupings = ["hour", "day", "model", "customer", "key", "backend"];

    private static readonly Column<UsageEventDto>[] EventColumns =
    [
        new("Started", e => Cell.Time(e.StartedAt)),
        Column<UsageEventDto>.Id("Request", e => e.RequestId),
        new("Customer", e => Cell.Text(e.CustomerId)),
        new("Key", e => Cell.Text(e.KeyId)),
        new("Model", e => Cell.Text(e.Model)),
        new("Backend", e => Cell.Text(e.Backend)),
        Column<UsageEventDto>.Right("Price v", e => e.PriceVersion?.ToString(CultureInfo.InvariantCulture) ?? Cell.None),
        Column<UsageEventDto>.Right("In", e => Cell.Number(e.InputTokens)),
        Column<UsageEventDto>.Right("Out", e => Cell.Number(e.OutputTokens)),
        Column<UsageEventDto>.Right("Charged", e => Cell.Money(e.ChargedAmount)),
        Column<UsageEventDto>.Right("Cost", e => Cell.Money(e.CostToServe)),
        new("Status", e => Cell.Text(e.Status)),
    ];

    private static readonly Column<UsageSummaryRowDto>[] SummaryColumns =
    [
        Column<UsageSummaryRowDto>.Id("Group", r => r.Group),
        Column<UsageSummaryRowDto>.Right("Requests", r => Cell.Number(r.Requests)),
        Column<UsageSummaryRowDto>.Right("Input", r => Cell.Number(r.InputTokens)),
        Column<UsageSummaryRowDto>.Right("Cached", r => Cell.Number(r.CachedInputTokens)),
        Column<UsageSummaryRowDto>.Right("Cache writes", r => Cell.Number(r.CacheWriteTokens)),
        Column<UsageSummaryRowDto>.Right("Output", r => Cell.Number(r.OutputTokens)),
        Column<UsageSummaryRowDto>.Right("List price", r => Cell.Money(r.ListAmount)),
        Column<UsageSummaryRowDto>.Right("Charged", r => Cell.Money(r.ChargedAmount)),
        Column<UsageSummaryRowDto>.Right("Cost to serve", r => Cell.Money(r.CostToServe)),
        Column<UsageSummaryRowDto>.Right("Margin", r => Margin(r.ChargedAmount, r.CostToServe)),
    ];

    public static Command Create(ClientVerbs cli)
    {
        var filters = new Filters();
        var paging = new PageOptions("request id", 100, UsageEndpoints.MaxLimit);
        var groupBy = CliOptions.OneOf("--group-by", "Total by hour, day (default), model, customer, key or backend.", Groupings);

        return cli.Group("usage", "Metered usage: each request, or totals by time, model, customer, key or backend.",
            cli.Verb("list", "List usage events, newest first.", async call =>
            {
                var query = filters.Query(call, paging.Query(call));
                call.Output.List(await call.GetAsync("usage", query), CliJson.Default.ApiListUsageEventDto, EventColumns, e => e.RequestId, "usage events");
            }, [.. filters.Symbols, .. paging.Symbols]),
            cli.Verb("summary", "Total requests, tokens, revenue and cost to serve (default: the last 30 days by day).", async call =>
            {
                var query = filters.Query(call, new Query().Add("group_by", call.Get(groupBy)));
                call.Output.Result(await call.GetAsync("usage/summary", query), AdminJson.Default.UsageSummaryDto, summary =>
                {
                    var title = $"Usage by {summary.GroupBy}, {Cell.Time(summary.From)} to {Cell.Time(summary.To)}";
                    if (summary.Data.Count == 0) call.Output.Note($"No usage: {title}.");
                    else call.Output.Table(summary.Data, SummaryColumns, title);
                });
            }, [groupBy, .. filters.Symbols]));
    }

    /// <summary>Revenue less cost, from the API's exact decimal strings; red when a group loses money.</summary>
    private static string Margin(string charged, string cost)
    {
        if (!decimal.TryParse(charged, NumberStyles.Number, CultureInfo.InvariantCulture, out var revenue)
            || !decimal.TryParse(cost, NumberStyles.Number, CultureInfo.InvariantCulture, out var spent))
            return Cell.None;
        var margin = revenue - spent;
        var text = (margin < 0 ? "-$" : "$") + Math.Abs(margin).ToString(CultureInfo.InvariantCulture);
        return margin < 0 ? $"[red]{text}[/]" : $"[green]{text}[/]";
    }

    /// <summary>The filters list and summary share, sent as the API's query parameters.</summary>
    private sealed class Filters
    {
        private readonly Option<string> _customer = new("--customer") { Description = "Only this customer's usage.", HelpName = "customer-id" };
        private readonly Option<string> _key = new("--key") { Description = "Only this API key's usage.", HelpName = "key-id" };
        private readonly Option<string> _model = new("--model") { Description = "Only this model's usage.", HelpName = "model-id" };
        private readonly Option<string> _backend = new("--backend") { Description = "Only usage served by this backend.", HelpName = "backend-id" };
        private readonly Option<DateTimeOffset?> _from = CliOptions.Time("--from", "From this time on.");
        private readonly Option<DateTimeOffset?> _to = CliOptions.Time("--to", "Before this time.");

        public Symbol[] Symbols => [_customer, _key, _model, _backend, _from, _to];

        public Query Query(VerbCall call, Query query) => query
            .Add("customer_id", call.Get(_customer))
            .Add("key_id", call.Get(_key))
            .Add("model", call.Get(_model))
            .Add("backend", call.Get(_backend))
            .Add("from", call.Get(_from))
            .Add("to", call.Get(_to));
    }
}
