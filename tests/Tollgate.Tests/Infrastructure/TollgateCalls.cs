using System.ClientModel;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Tollgate.Storage;

namespace Tollgate.Tests.Infrastructure;

/// <summary>The admin and usage calls tests make to set a scene and read what was metered.</summary>
internal static class TollgateCalls
{
    /// <summary>Backend ids are unique per model: <c>{model}-b1</c>, <c>{model}-b2</c>, …</summary>
    public static string BackendId(string modelId, int index) => $"{modelId}-b{index + 1}";

    /// <summary>
    /// Defines <paramref name="modelId"/> as an <c>open_ai</c> model served by <paramref name="baseUrls"/> in
    /// that order (upstream name <c>up-model</c>), priced at $1 in / $2 out. First-byte timeouts are 15 s
    /// unless <paramref name="firstByteTimeouts"/> gives them backend by backend.
    /// </summary>
    public static Task PutUpstreamModelAsync(
        this TollgateFactory app, string modelId, string[] baseUrls, string kind = "chat", string? capParameter = null, double[]? firstByteTimeouts = null)
    {
        var backends = new JsonArray();
        for (var i = 0; i < baseUrls.Length; i++)
        {
            var backend = new JsonObject
            {
                ["id"] = BackendId(modelId, i),
                ["kind"] = "open_ai",
                ["base_url"] = baseUrls[i],
                ["upstream_model"] = "up-model",
                ["first_byte_timeout_seconds"] = firstByteTimeouts?[i] ?? 15,
                ["cost"] = new JsonObject { ["input"] = "0.1", ["output"] = "0.2" },
            };
            if (capParameter is not null) backend["cap_parameter"] = capParameter;
            backends.Add(backend);
        }
        var model = new JsonObject
        {
            ["kind"] = kind,
            ["max_output_tokens"] = 256,
            ["backends"] = backends,
            ["price"] = new JsonObject { ["input"] = "1", ["output"] = "2" },
        };
        return app.PutModelAsync(modelId, model);
    }

    public static async Task PutModelAsync(this TollgateFactory app, string modelId, JsonObject model)
    {
        using var admin = app.AdminClient();
        using var response = await admin.PutAsync($"/admin/v1/models/{modelId}", JsonBody(model.ToJsonString()));
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
    }

    /// <summary>A new customer's new key, made through the admin API.</summary>
    public static async Task<CreatedKey> CreateKeyAsync(this TollgateFactory app, string[]? models = null, DateTimeOffset? expiresAt = null)
    {
        using var admin = app.AdminClient();
        using var customer = await admin.PostAsync("/admin/v1/customers", JsonBody("""{"name":"Test Customer"}"""));
        Assert.Equal(HttpStatusCode.Created, customer.StatusCode);
        var customerId = (await customer.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>();
        // A new prepaid customer has an empty wallet: give it credit so its key can be served.
        using var grant = await admin.PostAsync($"/admin/v1/customers/{customerId}/grants", JsonBody("""{"amount":"100"}"""));
        Assert.Equal(HttpStatusCode.Created, grant.StatusCode);
        var request = new JsonObject { ["name"] = "test key" };
        if (models is not null) request["models"] = new JsonArray([.. models.Select(m => (JsonNode)m)]);
        if (expiresAt is { } expires) request["expires_at"] = expires;
        using var key = await admin.PostAsync($"/admin/v1/customers/{customerId}/keys", JsonBody(request.ToJsonString()));
        Assert.True(key.StatusCode == HttpStatusCode.Created, await key.Content.ReadAsStringAsync());
        var created = (await key.Content.ReadFromJsonAsync<JsonObject>())!;
        return new CreatedKey(created["api_key"]!["id"]!.GetValue<string>(), created["key"]!.GetValue<string>());
    }

    /// <summary>A new prepaid customer's key with nothing in its wallet: every priced request is refused insufficient_quota.</summary>
    public static async Task<string> CreateUnfundedKeyAsync(this TollgateFactory app)
    {
        using var admin = app.AdminClient();
        using var customer = await admin.PostAsync("/admin/v1/customers", JsonBody("""{"name":"Unfunded Customer"}"""));
        Assert.Equal(HttpStatusCode.Created, customer.StatusCode);
        var customerId = (await customer.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>();
        using var key = await admin.PostAsync($"/admin/v1/customers/{customerId}/keys", JsonBody("""{"name":"unfunded key"}"""));
        Assert.True(key.StatusCode == HttpStatusCode.Created, await key.Content.ReadAsStringAsync());
        return (await key.Content.ReadFromJsonAsync<JsonObject>())!["key"]!.GetValue<string>();
    }

    /// <summary>Every stored usage event (the query's default page would stop at 100).</summary>
    public static async Task<IReadOnlyList<UsageEvent>> UsageAsync(this TollgateFactory app) =>
        await app.Services.GetRequiredService<IUsageQueries>().ListAsync(new UsageFilter(Limit: 100_000));

    /// <summary>For paths where the response does not wait for the commit: polls until one event is stored.</summary>
    public static async Task<UsageEvent> SingleUsageEventuallyAsync(this TollgateFactory app)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            if (await app.UsageAsync() is [var usage]) return usage;
            await Task.Delay(50);
        }
        return Assert.Single(await app.UsageAsync());
    }

    public static StringContent JsonBody(string json) => new(json, Encoding.UTF8, "application/json");

    /// <summary>
    /// Asserts the status and OpenAI's error shape, <c>{"error":{"message","type","param","code"}}</c>
    /// with exactly those four fields; returns the error object.
    /// </summary>
    public static async Task<JsonElement> AssertErrorAsync(
        HttpResponseMessage response, HttpStatusCode status, string? code, string? param = null, string type = "invalid_request_error") =>
        AssertError((int)response.StatusCode, response.Content.Headers.ContentType?.MediaType, await response.Content.ReadAsStringAsync(),
            status, code, param, type);

    /// <summary>The same, for an error the official SDK raised.</summary>
    public static JsonElement AssertError(ClientResultException error, HttpStatusCode status, string? code, string? param = null, string type = "invalid_request_error")
    {
        var raw = error.GetRawResponse()!;
        raw.Headers.TryGetValue("Content-Type", out var contentType);
        return AssertError(raw.Status, contentType?.Split(';')[0], raw.Content.ToString(), status, code, param, type);
    }

    private static JsonElement AssertError(int actualStatus, string? mediaType, string text, HttpStatusCode status, string? code, string? param, string type)
    {
        Assert.True(actualStatus == (int)status, $"Expected {(int)status}, got {actualStatus}: {text}");
        Assert.Equal("application/json", mediaType);
        using var document = JsonDocument.Parse(text);
        var root = document.RootElement;
        Assert.Equal(["error"], root.EnumerateObject().Select(p => p.Name));
        var error = root.GetProperty("error");
        Assert.Equal(["code", "message", "param", "type"], error.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.False(string.IsNullOrWhiteSpace(error.GetProperty("message").GetString()));
        Assert.Equal(type, error.GetProperty("type").GetString());
        AssertStringOrNull(code, error.GetProperty("code"));
        AssertStringOrNull(param, error.GetProperty("param"));
        return error.Clone();
    }

    private static void AssertStringOrNull(string? expected, JsonElement actual)
    {
        if (expected is null) Assert.Equal(JsonValueKind.Null, actual.ValueKind);
        else Assert.Equal(expected, actual.GetString());
    }
}

/// <summary>An API key as its creation answered: its id and its secret, shown only then.</summary>
internal sealed record CreatedKey(string Id, string Secret);
