using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Tollgate.Admin;
using Tollgate.Webhooks;

namespace Tollgate.Cli;

/// <summary><c>tollgate alerts list</c>: budget thresholds crossed (the <c>budget.threshold</c> events), newest first.</summary>
internal static class AlertCommands
{
    private static readonly Column<WebhookEventDto>[] Columns =
    [
        new("Crossed", e => Cell.Time(e.CreatedAt)),
        new("Budget", e => Field(e, "budget")),
        new("Customer", e => Field(e, "customer_id")),
        new("Key", e => Field(e, "key_id")),
        new("Period", e => Field(e, "period")),
        Column<WebhookEventDto>.Right("Threshold", e => Data(e).TryGetProperty("threshold_percent", out var p) ? $"{p.GetDecimal().ToString(CultureInfo.InvariantCulture)} %" : Cell.None),
        Column<WebhookEventDto>.Right("Limit", e => Cell.Money(Text(e, "limit"))),
        Column<WebhookEventDto>.Right("Spent", e => Cell.Money(Text(e, "spent"))),
        Column<WebhookEventDto>.Id("Event", e => e.Id),
    ];

    public static Command Create(ClientVerbs cli)
    {
        var paging = PageOptions.Standard("event id");
        return cli.Group("alerts", "Budget alerts: each time a budget's spend reached a threshold (50, 80, 100 % by default).",
            cli.Verb("list", "List budget alerts, newest first ('webhooks deliveries' shows where each was sent).", async call =>
            {
                var query = paging.Query(call).Add("type", WebhookEventTypes.BudgetThreshold);
                call.Output.List(await call.GetAsync("webhook-events", query), CliJson.Default.ApiListWebhookEventDto, Columns, e => e.Id, "budget alerts");
            }, paging.Symbols));
    }

    private static JsonElement Data(WebhookEventDto e) =>
        e.Payload.ValueKind == JsonValueKind.Object && e.Payload.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Object ? data : default;

    private static string? Text(WebhookEventDto e, string name) =>
        Data(e) is { ValueKind: JsonValueKind.Object } data && data.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string Field(WebhookEventDto e, string name) => Cell.Text(Text(e, name));
}
