using System.CommandLine;
using Tollgate.Admin;

namespace Tollgate.Cli;

/// <summary>
/// <c>tollgate webhooks list|create|rotate-secret|delete|deliveries</c>: endpoints that receive
/// signed events (the signing secret is shown once, at creation and rotation) and the log of
/// every delivery.
/// </summary>
internal static class WebhookCommands
{
    private static readonly string[] Statuses = ["pending", "succeeded", "failed"];

    private static readonly Column<WebhookEndpointDto>[] EndpointColumns =
    [
        Column<WebhookEndpointDto>.Id("ID", e => e.Id),
        new("URL", e => Cell.Text(e.Url)),
        new("Events", e => Cell.List(e.Events, "none")),
        new("Enabled", e => Cell.YesNo(e.Enabled)),
        new("Description", e => Cell.Text(e.Description)),
        new("Created", e => Cell.Time(e.CreatedAt)),
    ];

    private static readonly Column<WebhookDeliveryDto>[] DeliveryColumns =
    [
        Column<WebhookDeliveryDto>.Id("Delivery", d => d.Id),
        new("Endpoint", d => Cell.Text(d.EndpointId)),
        new("Event", d => Cell.Text(d.EventType)),
        new("Status", d => DeliveryStatus(d.Status)),
        Column<WebhookDeliveryDto>.Right("Attempts", d => Cell.Number(d.Attempts)),
        new("Last answer", d => d.LastStatusCode is { } code ? Cell.Number(code) : Cell.Text(d.LastError)),
        new("Next attempt", d => Cell.Time(d.NextAttemptAt)),
        new("Created", d => Cell.Time(d.CreatedAt)),
    ];

    public static Command Create(ClientVerbs cli)
    {
        var paging = PageOptions.Standard("id");
        var id = CliOptions.Id("endpoint-id", "The endpoint's id (whe_…).");
        var url = new Option<string>("--url") { Description = "The http or https URL events are POSTed to.", Required = true };
        var events = new Option<string[]>("--event")
        {
            Description = "An event type to send (e.g. budget.threshold); repeat for several, or * for all.",
            Required = true,
            AllowMultipleArgumentsPerToken = true,
            HelpName = "type",
        };
        var description = new Option<string>("--description") { Description = "What the endpoint is for (at most 500 characters)." };
        var grace = new Option<int?>("--expire-previous-in-seconds")
        {
            Description = "Keep signing with the old secret too for this long (0 to 604800), while receivers switch. Default: the server's grace period.",
            HelpName = "seconds",
        };
        var endpoint = new Option<string>("--endpoint") { Description = "Only deliveries to this endpoint.", HelpName = "endpoint-id" };
        var status = CliOptions.OneOf("--status", "Only deliveries in this state.", Statuses);

        return cli.Group("webhooks", "Webhook endpoints and their deliveries: list, create, rotate a secret, delete, see every delivery.",
            cli.Verb("list", "List webhook endpoints.", async call =>
                call.Output.List(await call.GetAsync("webhook-endpoints", paging.Query(call)), CliJson.Default.ApiListWebhookEndpointDto, EndpointColumns,
                    e => e.Id, "webhook endpoints"),
                paging.Symbols),
            cli.Posting("create", "Register an endpoint; its signing secret is shown this once.", async call =>
            {
                var body = new WebhookEndpointRequest(call.Require(url), call.Require(events), call.Get(description));
                var response = await call.SendAsync(HttpMethod.Post, "webhook-endpoints", body, AdminJson.Default.WebhookEndpointRequest);
                call.Output.Result(response, AdminJson.Default.CreatedWebhookEndpointDto, created => ShowSecret(call, created, "Created"));
            }, url, events, description),
            cli.Posting("rotate-secret", "Replace an endpoint's signing secret; the new one is shown this once.", async call =>
            {
                var response = await call.SendAsync(HttpMethod.Post, VerbCall.Path("webhook-endpoints", call.Get(id), "rotate-secret"),
                    new RotateWebhookSecretRequest(call.Get(grace)), AdminJson.Default.RotateWebhookSecretRequest);
                call.Output.Result(response, AdminJson.Default.CreatedWebhookEndpointDto, rotated => ShowSecret(call, rotated, "Rotated the secret of"));
            }, id, grace),
            cli.Verb("delete", "Delete an endpoint: nothing more is sent to it; its delivery log stays.", async call =>
            {
                var response = await call.SendAsync(HttpMethod.Delete, VerbCall.Path("webhook-endpoints", call.Get(id)));
                call.Output.Result(response, AdminJson.Default.WebhookEndpointDto, e => call.Output.Success($"Deleted webhook endpoint {e.Id} ({e.Url})."));
            }, id),
            cli.Verb("deliveries", "List deliveries, newest first: each event sent to each endpoint, its attempts and answer.", async call =>
            {
                var query = paging.Query(call).Add("endpoint_id", call.Get(endpoint)).Add("status", call.Get(status));
                call.Output.List(await call.GetAsync("webhook-deliveries", query), CliJson.Default.ApiListWebhookDeliveryDto, DeliveryColumns, d => d.Id,
                    "deliveries");
            }, [endpoint, status, .. paging.Symbols]));
    }

    private static string DeliveryStatus(string status) => status switch
    {
        "succeeded" => "[green]succeeded[/]",
        "failed" => "[red]failed[/]",
        _ => Cell.Text(status),
    };

    private static void ShowSecret(VerbCall call, CreatedWebhookEndpointDto created, string done)
    {
        var e = created.WebhookEndpoint;
        call.Output.Success($"{done} webhook endpoint {e.Id}.");
        call.Output.Details($"Webhook endpoint {e.Id}",
            ("URL", Cell.Text(e.Url)),
            ("Events", Cell.List(e.Events, "none")),
            ("Enabled", Cell.YesNo(e.Enabled)),
            ("Previous secret until", Cell.Time(e.PreviousSecretExpiresAt)));
        call.Output.Secret("signing secret", created.Secret);
    }
}
