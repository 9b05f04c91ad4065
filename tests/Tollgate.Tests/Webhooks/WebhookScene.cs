using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Tollgate.Tests.Admin;
using Tollgate.Tests.Infrastructure;
using Tollgate.Webhooks;

namespace Tollgate.Tests.Webhooks;

/// <summary>Admin calls and dispatcher passes the webhook tests share.</summary>
internal static class WebhookScene
{
    /// <summary>Registers an endpoint; returns its id and its signing secret, which only this answer shows.</summary>
    public static async Task<(string Id, string Secret)> CreateEndpointAsync(this HttpClient admin, string url, params string[] events)
    {
        var created = await admin.PostJsonAsync("/admin/v1/webhook-endpoints", new JsonObject
        {
            ["url"] = url,
            ["events"] = new JsonArray([.. events.Select(e => (JsonNode)e)]),
        }.ToJsonString());
        return (created["webhook_endpoint"]!["id"]!.GetValue<string>(), created["secret"]!.GetValue<string>());
    }

    /// <summary>Sends a test event to the endpoint and runs a dispatcher pass; returns the delivery id.</summary>
    public static async Task<string> SendTestAsync(this TollgateFactory app, HttpClient admin, string endpointId)
    {
        var delivery = await admin.PostJsonAsync($"/admin/v1/webhook-endpoints/{endpointId}/test", "{}");
        await app.DeliverDueAsync();
        return delivery.Id();
    }

    /// <summary>
    /// One dispatcher pass. Passes never overlap, so when this returns every delivery due before it
    /// was called has been attempted, by this pass or by a background one it waited for.
    /// </summary>
    public static Task<int> DeliverDueAsync(this TollgateFactory app) =>
        app.Services.GetRequiredService<WebhookDispatcher>().DeliverDueAsync(CancellationToken.None);

    /// <summary>Waits until the outbox has stored every event posted so far.</summary>
    public static Task FlushOutboxAsync(this TollgateFactory app) => app.Services.GetRequiredService<WebhookOutbox>().FlushAsync();

    public static Task<JsonObject> DeliveryAsync(this HttpClient admin, string deliveryId) => admin.GetJsonAsync($"/admin/v1/webhook-deliveries/{deliveryId}");

    public static string Text(this JsonNode? node) => node!.GetValue<string>();

    public static async Task<HttpStatusCode> StatusOfAsync(this HttpClient client, HttpMethod method, string path, string? json = null)
    {
        using var response = await client.RawAsync(method, path, json);
        return response.StatusCode;
    }
}
