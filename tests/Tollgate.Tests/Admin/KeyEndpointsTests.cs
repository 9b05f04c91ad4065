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

    [Fact]
    public async Task Import_KeysOfTwoCustomers_EveryKeyWorksAndIsAudited()
    {
        using var admin = _app.AdminClient();
        var first = await admin.CreateCustomerAsync();
        var second = await admin.CreateCustomerAsync();
        await admin.PostJsonAsync($"/admin/v1/customers/{first.Id()}/grants", """{"amount":"100"}""");
        await admin.PostJsonAsync($"/admin/v1/customers/{second.Id()}/grants", """{"amount":"100"}""");

        var imported = await admin.SendAsync(HttpMethod.Post, "/admin/v1/keys/import",
            $$"""{"keys":[{"customer_id":"{{first.Id()}}","name":"a"},{"customer_id":"{{second.Id()}}","name":"b","models":["tg-mini"]},{"customer_id":"{{second.Id()}}"}]}""");

        var keys = imported["data"]!.AsArray();
        Assert.Equal([first.Id(), second.Id(), second.Id()], keys.Select(k => k!["api_key"]!["customer_id"]!.GetValue<string>()));
        Assert.Equal(["tg-mini"], keys[1]!["api_key"]!["models"]!.AsArray().Select(m => m!.GetValue<string>()));
        foreach (var key in keys)
        {
            using var client = _app.ApiClient(key!["key"]!.GetValue<string>());
            Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/v1/chat/completions", TollgateCalls.JsonBody(Hello))).StatusCode);
        }
        var audit = await admin.GetJsonAsync("/admin/v1/audit?target_type=api_key&limit=100");
        var audited = audit["data"]!.AsArray().Select(e => e!["target_id"]!.GetValue<string>()).ToHashSet();
        Assert.All(keys, k => Assert.Contains(k!["api_key"]!["id"]!.GetValue<string>(), audited));
    }

    [Theory]
    [InlineData("""{"keys":[]}""", "keys")]
    [InlineData("""{"keys":[{"customer_id":"cus_nobody"}]}""", "keys[0].customer_id")]
    [InlineData("""{"keys":[{"customer_id":"CUSTOMER"},{"customer_id":"CUSTOMER","models":[]}]}""", "keys[1].models")]
    public async Task Import_InvalidEntry_NothingIsCreated(string body, string param)
    {
        using var admin = _app.AdminClient();
        var customer = await admin.CreateCustomerAsync();

        using var response = await admin.RawAsync(HttpMethod.Post, "/admin/v1/keys/import", body.Replace("CUSTOMER", customer.Id(), StringComparison.Ordinal));
        var keys = await admin.GetJsonAsync($"/admin/v1/keys?customer_id={customer.Id()}");

        await TollgateCalls.AssertErrorAsync(response, HttpStatusCode.BadRequest, null, param);
        Assert.Empty(keys["data"]!.AsArray());
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
