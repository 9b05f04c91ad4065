using System.Net;
using Tollgate.Tests.Infrastructure;

namespace Tollgate.Tests.Admin;

public sealed class AdminAuthorizationTests : IAsyncLifetime
{
    private readonly TollgateFactory _app = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Theory]
    [InlineData(null)]
    [InlineData("wrong-token")]
    [InlineData("tga_0000000000_0000000000000000000000000000000000000000")]
    public async Task AnyRoute_WithoutValidToken_Returns401InvalidAdminToken(string? token)
    {
        using var client = _app.CreateClient();
        if (token is not null) client.DefaultRequestHeaders.Authorization = new("Bearer", token);

        using var response = await client.GetAsync("/admin/v1/customers");

        await TollgateCalls.AssertErrorAsync(response, HttpStatusCode.Unauthorized, "invalid_admin_token");
    }

    [Fact]
    public async Task ApiKey_OnAdminRoute_IsNotAnAdminToken()
    {
        using var client = _app.AdminClient(_app.DemoApiKey);

        using var response = await client.GetAsync("/admin/v1/customers");

        await TollgateCalls.AssertErrorAsync(response, HttpStatusCode.Unauthorized, "invalid_admin_token");
    }

    [Fact]
    public async Task ReadToken_ReadsButCannotChange()
    {
        using var full = _app.AdminClient();
        using var reader = _app.AdminClient(await full.CreateTokenAsync("read"));

        var list = await reader.RawAsync(HttpMethod.Get, "/admin/v1/customers");
        var create = await reader.RawAsync(HttpMethod.Post, "/admin/v1/customers", """{"name":"x"}""");
        var tokens = await reader.RawAsync(HttpMethod.Get, "/admin/v1/tokens");

        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        await TollgateCalls.AssertErrorAsync(create, HttpStatusCode.Forbidden, "insufficient_scope");
        await TollgateCalls.AssertErrorAsync(tokens, HttpStatusCode.Forbidden, "insufficient_scope");
    }

    [Fact]
    public async Task KeysToken_CreatesKeysButNotCustomersOrModels()
    {
        using var full = _app.AdminClient();
        var customer = await full.CreateCustomerAsync();
        using var keys = _app.AdminClient(await full.CreateTokenAsync("keys"));

        var key = await keys.RawAsync(HttpMethod.Post, $"/admin/v1/customers/{customer.Id()}/keys", "{}");
        var newCustomer = await keys.RawAsync(HttpMethod.Post, "/admin/v1/customers", """{"name":"x"}""");
        var model = await keys.RawAsync(HttpMethod.Put, "/admin/v1/models/x", """{"backends":[{"kind":"simulator"}]}""");

        Assert.Equal(HttpStatusCode.Created, key.StatusCode);
        await TollgateCalls.AssertErrorAsync(newCustomer, HttpStatusCode.Forbidden, "insufficient_scope");
        await TollgateCalls.AssertErrorAsync(model, HttpStatusCode.Forbidden, "insufficient_scope");
    }

    [Fact]
    public async Task RevokedToken_IsRefusedOnTheNextRequest()
    {
        using var full = _app.AdminClient();
        var created = await full.PostJsonAsync("/admin/v1/tokens", """{"name":"temp","scopes":["read"]}""");
        using var temp = _app.AdminClient(created["token"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, (await temp.GetAsync("/admin/v1/customers")).StatusCode);

        await full.SendAsync(HttpMethod.Post, $"/admin/v1/tokens/{created["admin_token"]!["id"]!.GetValue<string>()}/revoke");

        await TollgateCalls.AssertErrorAsync(await temp.GetAsync("/admin/v1/customers"), HttpStatusCode.Unauthorized, "invalid_admin_token");
    }

    [Fact]
    public async Task CreateToken_UnknownScope_Returns400NamingScopes()
    {
        using var full = _app.AdminClient();

        using var response = await full.RawAsync(HttpMethod.Post, "/admin/v1/tokens", """{"name":"x","scopes":["root"]}""");

        await TollgateCalls.AssertErrorAsync(response, HttpStatusCode.BadRequest, null, "scopes");
    }
}
