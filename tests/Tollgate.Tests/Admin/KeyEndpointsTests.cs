using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using Tollgate.Tests.Infrastructure;

namespace Tollgate.Tests.Admin;

public sealed class KeyEndpointsTests : IAsyncLifetime
{
    private const string Hello = """{"model":"tg-mini","messages":[{"role":"user","content":"hi"}]}""";
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly TollgateFactory _app;

    public KeyEndpointsTests() => _app = new TollgateFactory(_time);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task Revoke_ActiveKey_NextRequestIsRefused()
    {
        var (keyId, secret) = await CreateKeyAsync();
        using var client = _app.ApiClient(secret);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/v1/chat/completions", TollgateCalls.JsonBody(Hello))).StatusCode);
        using var admin = _app.AdminClient();

        var revoked = await admin.SendAsync(HttpMethod.Post, $"/admin/v1/keys/{keyId}/revoke");
        using var after = await client.PostAsync("/v1/chat/completions", TollgateCalls.JsonBody(Hello));

        Assert.Equal("revoked", revoked["status"]!.GetValue<string>());
        await TollgateCalls.AssertErrorAsync(after, HttpStatusCode.Unauthorized, "invalid_api_key");
    }

    [Fact]
    public async Task Rotate_WithoutGrace_NewSecretWorksAndOldStopsAtOnce()
    {
        var (keyId, oldSecret) = await CreateKeyAsync(models: ["tg-mini"]);
        using var admin = _app.AdminClient();

        var rotated = await admin.SendAsync(HttpMethod.Post, $"/admin/v1/keys/{keyId}/rotate", "{}");
        var newSecret = rotated["key"]!.GetValue<string>();
        using var oldClient = _app.ApiClient(oldSecret);
        using var newClient = _app.ApiClient(newSecret);

        Assert.NotEqual(keyId, rotated["api_key"]!["id"]!.GetValue<string>());
        Assert.Equal(["tg-mini"], rotated["api_key"]!["models"]!.AsArray().Select(m => m!.GetValue<string>()));
        Assert.Equal(HttpStatusCode.OK, (await newClient.PostAsync("/v1/chat/completions", TollgateCalls.JsonBody(Hello))).StatusCode);
        await TollgateCalls.AssertErrorAsync(await oldClient.PostAsync("/v1/chat/completions", TollgateCalls.JsonBody(Hello)),
            HttpStatusCode.Unauthorized, "invalid_api_key");
    }

    [Fact]
    public async Task Rotate_WithGrace_OldKeyWorksUntilGraceEnds()
    {
        var (keyId, oldSecret) = await CreateKeyAsync();
        using var admin = _app.AdminClient();
        await admin.SendAsync(HttpMethod.Post, $"/admin/v1/keys/{keyId}/rotate", """{"expire_old_in_seconds":60}""");
        using var oldClient = _app.ApiClient(oldSecret);

        var during = await oldClient.PostAsync("/v1/chat/completions", TollgateCalls.JsonBody(Hello));
        _time.Advance(TimeSpan.FromSeconds(61));
        var afterwards = await oldClient.PostAsync("/v1/chat/completions", TollgateCalls.JsonBody(Hello));

        Assert.Equal(HttpStatusCode.OK, during.StatusCode);
        await TollgateCalls.AssertErrorAsync(afterwards, HttpStatusCode.Unauthorized, "invalid_api_key");
    }

    [Fact]
    public async Task Update_ScopeToOtherModel_OutOfScopeModelIsNotFound()
    {
        var (keyId, secret) = await CreateKeyAsync();
        using var admin = _app.AdminClient();

        var updated = await admin.SendAsync(HttpMethod.Patch, $"/admin/v1/keys/{keyId}", """{"models":["tg-pro"]}""");
        using var client = _app.ApiClient(secret);
        using var response = await client.PostAsync("/v1/chat/completions", TollgateCalls.JsonBody(Hello));

        Assert.Equal(["tg-pro"], updated["models"]!.AsArray().Select(m => m!.GetValue<string>()));
        await TollgateCalls.AssertErrorAsync(response, HttpStatusCode.NotFound, "model_not_found", "model");
    }

    [Fact]
    public async Task Create_ExpiresAt_KeyStopsWorkingAtExpiry()
    {
        var (_, secret) = await CreateKeyAsync(expiresAt: _time.GetUtcNow().AddMinutes(5));
        using var client = _app.ApiClient(secret);

        var before = await client.PostAsync("/v1/chat/completions", TollgateCalls.JsonBody(Hello));
        _time.Advance(TimeSpan.FromMinutes(5));
        var after = await client.PostAsync("/v1/chat/completions", TollgateCalls.JsonBody(Hello));

        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        await TollgateCalls.AssertErrorAsync(after, HttpStatusCode.Unauthorized, "invalid_api_key");
    }

    [Fact]
    public async Task ListAndGet_KeyDocuments_NeverHoldTheSecret()
    {
        var (keyId, secret) = await CreateKeyAsync();
        using var admin = _app.AdminClient();

        var list = await admin.GetJsonAsync("/admin/v1/keys?limit=100");
        var one = await admin.GetJsonAsync($"/admin/v1/keys/{keyId}");

        Assert.Contains(list.Data(), k => k!["id"]!.GetValue<string>() == keyId);
        Assert.Equal($"tg_{keyId}", one["prefix"]!.GetValue<string>());
        Assert.DoesNotContain(secret, list.ToJsonString());
        Assert.DoesNotContain(secret, one.ToJsonString());
        Assert.DoesNotContain(secret[^20..], (await admin.GetJsonAsync("/admin/v1/audit?limit=100")).ToJsonString());
    }

    [Theory]
    [InlineData("""{"models":[]}""", "models")]
    [InlineData("""{"expires_at":"2000-01-01T00:00:00Z"}""", "expires_at")]
    [InlineData("""{"name":""}""", "name")]
    public async Task Create_InvalidField_Returns400NamingTheField(string body, string param)
    {
        using var admin = _app.AdminClient();
        var customer = await admin.CreateCustomerAsync();

        using var response = await admin.RawAsync(HttpMethod.Post, $"/admin/v1/customers/{customer.Id()}/keys", body);

        await TollgateCalls.AssertErrorAsync(response, HttpStatusCode.BadRequest, null, param);
    }

    private async Task<(string Id, string Secret)> CreateKeyAsync(string[]? models = null, DateTimeOffset? expiresAt = null)
    {
        using var admin = _app.AdminClient();
        var customer = await admin.CreateCustomerAsync();
        await admin.PostJsonAsync($"/admin/v1/customers/{customer.Id()}/grants", """{"amount":"100"}""");
        var request = new JsonObject { ["name"] = "k" };
        if (models is not null) request["models"] = new JsonArray([.. models.Select(m => (JsonNode)m)]);
        if (expiresAt is { } e) request["expires_at"] = e;
        var created = await admin.PostJsonAsync($"/admin/v1/customers/{customer.Id()}/keys", request.ToJsonString());
        return (created["api_key"]!["id"]!.GetValue<string>(), created["key"]!.GetValue<string>());
    }
}
