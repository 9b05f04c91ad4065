using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Tollgate.Tests.Infrastructure;

namespace Tollgate.Tests.Admin;

/// <summary>Small JSON helpers for admin API tests.</summary>
internal static class AdminApi
{
    public static async Task<JsonObject> SendAsync(this HttpClient client, HttpMethod method, string path, string? json = null,
        HttpStatusCode expected = HttpStatusCode.OK, string? idempotencyKey = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (json is not null) request.Content = TollgateCalls.JsonBody(json);
        if (idempotencyKey is not null) request.Headers.Add("Idempotency-Key", idempotencyKey);
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{method} {path}: expected {(int)expected}, got {(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text)!.AsObject();
    }

    public static Task<JsonObject> GetJsonAsync(this HttpClient client, string path) => client.SendAsync(HttpMethod.Get, path);

    public static Task<JsonObject> PostJsonAsync(this HttpClient client, string path, string json, HttpStatusCode expected = HttpStatusCode.Created) =>
        client.SendAsync(HttpMethod.Post, path, json, expected);

    public static async Task<HttpResponseMessage> RawAsync(this HttpClient client, HttpMethod method, string path, string? json = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (json is not null) request.Content = TollgateCalls.JsonBody(json);
        return await client.SendAsync(request);
    }

    public static string Id(this JsonObject node) => node["id"]!.GetValue<string>();

    public static JsonArray Data(this JsonObject list) => list["data"]!.AsArray();

    /// <summary>Starts an invoice run of one customer's month and waits until it has ended; returns that month's invoice.</summary>
    public static async Task<JsonObject> RunInvoiceAsync(this HttpClient admin, string customerId, string period, bool finalize = true)
    {
        var run = await admin.PostJsonAsync("/admin/v1/invoice-runs",
            $$"""{"period":"{{period}}","finalize":{{(finalize ? "true" : "false")}},"customer_id":"{{customerId}}"}""", System.Net.HttpStatusCode.Accepted);
        for (var i = 0; i < 500 && run["status"]!.GetValue<string>() == "running"; i++)
        {
            await Task.Delay(20);
            run = await admin.GetJsonAsync($"/admin/v1/invoice-runs/{run.Id()}");
        }
        var invoices = await admin.GetJsonAsync($"/admin/v1/invoices?customer_id={customerId}&period={period}");
        return await admin.GetJsonAsync($"/admin/v1/invoices/{invoices.Data()[0]!["id"]!.GetValue<string>()}");
    }

    public static async Task<JsonObject> CreateCustomerAsync(this HttpClient admin, string name = "Acme") =>
        await admin.PostJsonAsync("/admin/v1/customers", $$"""{"name":"{{name}}"}""");

    public static async Task<string> CreateTokenAsync(this HttpClient admin, params string[] scopes)
    {
        var created = await admin.PostJsonAsync("/admin/v1/tokens", new JsonObject
        {
            ["name"] = "scoped",
            ["scopes"] = new JsonArray([.. scopes.Select(s => (JsonNode)s)]),
        }.ToJsonString());
        return created["token"]!.GetValue<string>();
    }

    public static async Task<JsonObject?> ReadJsonAsync(this HttpResponseMessage response) => await response.Content.ReadFromJsonAsync<JsonObject>();
}
