using System.Net;
using System.Text.Json.Nodes;
using Tollgate.Tests.Admin;
using Tollgate.Tests.Infrastructure;

namespace Tollgate.Tests.Security;

/// <summary>API keys, admin tokens and webhook signing secrets exist in clear only in the answer that shows them once.</summary>
public sealed class SecretsAtRestTests : IAsyncLifetime
{
    private readonly TollgateFactory _app = new() { KeepDataDir = true };

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        if (Directory.Exists(_app.DataDir)) Directory.Delete(_app.DataDir, recursive: true);
    }

    [Fact]
    public async Task CreatedSecrets_NowhereInDataFilesOrLogs_EvenWhenCreatedIdempotently()
    {
        using var admin = _app.AdminClient();
        var customer = await admin.CreateCustomerAsync();
        await admin.PostJsonAsync($"/admin/v1/customers/{customer.Id()}/grants", """{"amount":"10"}""");
        var key = await CreateTwiceAsync(admin, $"/admin/v1/customers/{customer.Id()}/keys", """{"name":"k"}""", "key");
        using (var first = _app.ApiClient(key.Secret)) Assert.Equal(HttpStatusCode.OK, (await first.GetAsync("/v1/models")).StatusCode);
        var rotated = await CreateTwiceAsync(admin, $"/admin/v1/keys/{key.Id}/rotate", "{}", "key");
        var token = await CreateTwiceAsync(admin, "/admin/v1/tokens", """{"name":"t","scopes":["read"]}""", "token");
        var signing = await CreateTwiceAsync(admin, "/admin/v1/webhook-endpoints", """{"url":"https://hooks.example.com/x","events":["*"]}""", "secret");
        string[] secrets = [key.Secret, rotated.Secret, token.Secret, signing.Secret, TollgateFactory.AdminToken];

        // Use them, rightly and wrongly, so every path that handles a secret has run.
        using (var api = _app.ApiClient(rotated.Secret))
        {
            using var ok = await api.PostAsync("/v1/chat/completions", TollgateCalls.JsonBody("""{"model":"tg-mini","messages":[{"role":"user","content":"hi"}]}"""));
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }
        using (var reader = _app.AdminClient(token.Secret)) Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync("/admin/v1/keys")).StatusCode);
        using (var wrong = _app.ApiClient(key.Secret[..^4] + "zzzz")) Assert.Equal(HttpStatusCode.Unauthorized, (await wrong.GetAsync("/v1/models")).StatusCode);

        var whileRunning = DataFiles.Read(_app.DataDir);
        await _app.DisposeAsync();
        var afterStop = DataFiles.Read(_app.DataDir);

        Assert.Contains(whileRunning, f => f.File.EndsWith("-wal", StringComparison.Ordinal));
        foreach (var (file, bytes) in whileRunning.Concat(afterStop))
        {
            foreach (var secret in secrets) Assert.False(DataFiles.Contains(bytes, secret), $"A secret ({secret[..6]}…) is stored readable in {file}.");
        }
        // The scan does see what was stored: the keys' and token's ids are there.
        Assert.All(new[] { key.Id, rotated.Id, token.Id }, id => Assert.Contains(afterStop, f => DataFiles.Contains(f.Bytes, id)));
        Assert.NotEmpty(_app.Logs.Lines);
        // The demo key is kept on purpose in demo-credentials.txt (owner-only, demo data only); it must not reach the logs either.
        foreach (var secret in secrets.Append(_app.DemoApiKey)) Assert.DoesNotContain(_app.Logs.Lines, line => line.Contains(secret, StringComparison.Ordinal));
    }

    [Fact]
    public async Task IdempotentReplay_OfShownOnceSecret_GivesTheSameSecretWhileRunning()
    {
        using var admin = _app.AdminClient();

        var first = await SendAsync(admin, "/admin/v1/tokens", """{"name":"t","scopes":["read"]}""", "same-key");
        var again = await SendAsync(admin, "/admin/v1/tokens", """{"name":"t","scopes":["read"]}""", "same-key");

        Assert.Equal(first["token"]!.GetValue<string>(), again["token"]!.GetValue<string>());
    }

    /// <summary>Creates under an Idempotency-Key and replays it, so the stored replay is in the files too.</summary>
    private static async Task<(string Id, string Secret)> CreateTwiceAsync(HttpClient admin, string path, string json, string secretField)
    {
        var idempotencyKey = Guid.NewGuid().ToString("N");
        var created = await SendAsync(admin, path, json, idempotencyKey);
        var replayed = await SendAsync(admin, path, json, idempotencyKey);
        Assert.Equal(created.ToJsonString(), replayed.ToJsonString());
        var resource = created.Where(p => p.Value is JsonObject).Select(p => p.Value!.AsObject()).SingleOrDefault() ?? created;
        return (resource["id"]!.GetValue<string>(), created[secretField]!.GetValue<string>());
    }

    private static async Task<JsonObject> SendAsync(HttpClient admin, string path, string json, string idempotencyKey)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = TollgateCalls.JsonBody(json) };
        request.Headers.Add("Idempotency-Key", idempotencyKey);
        using var response = await admin.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"POST {path}: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!.AsObject();
    }
}
