using System.Net;
using Tollgate.Tests.Infrastructure;

namespace Tollgate.Tests.Admin;

public sealed class IdempotencyAndAuditTests : IAsyncLifetime
{
    private readonly TollgateFactory _app = new(demo: false);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task Post_RetriedWithSameKey_ReturnsFirstResultAndCreatesOnce()
    {
        using var admin = _app.AdminClient();

        var first = await admin.SendAsync(HttpMethod.Post, "/admin/v1/customers", """{"name":"Once"}""", HttpStatusCode.Created, idempotencyKey: "retry-1");
        var second = await admin.SendAsync(HttpMethod.Post, "/admin/v1/customers", """{"name":"Once"}""", HttpStatusCode.Created, idempotencyKey: "retry-1");
        var all = await admin.GetJsonAsync("/admin/v1/customers");

        Assert.Equal(first.ToJsonString(), second.ToJsonString());
        Assert.Single(all.Data());
        Assert.Single((await admin.GetJsonAsync("/admin/v1/audit?target_type=customer")).Data());
    }

    [Fact]
    public async Task Post_SameKeyDifferentBody_Returns400IdempotencyKeyReused()
    {
        using var admin = _app.AdminClient();
        await admin.SendAsync(HttpMethod.Post, "/admin/v1/customers", """{"name":"A"}""", HttpStatusCode.Created, idempotencyKey: "k");

        using var request = new HttpRequestMessage(HttpMethod.Post, "/admin/v1/customers") { Content = TollgateCalls.JsonBody("""{"name":"B"}""") };
        request.Headers.Add("Idempotency-Key", "k");
        using var response = await admin.SendAsync(request);

        await TollgateCalls.AssertErrorAsync(response, HttpStatusCode.BadRequest, "idempotency_key_reused", "Idempotency-Key");
    }

    [Fact]
    public async Task Post_SameKeyFromAnotherToken_RunsAgain()
    {
        using var admin = _app.AdminClient();
        using var other = _app.AdminClient(await admin.CreateTokenAsync("billing"));

        await admin.SendAsync(HttpMethod.Post, "/admin/v1/customers", """{"name":"A"}""", HttpStatusCode.Created, idempotencyKey: "shared");
        await other.SendAsync(HttpMethod.Post, "/admin/v1/customers", """{"name":"A"}""", HttpStatusCode.Created, idempotencyKey: "shared");

        Assert.Equal(2, (await admin.GetJsonAsync("/admin/v1/customers")).Data().Count);
    }

    [Fact]
    public async Task Audit_EachChange_OneEntryWithActorAndBeforeAfter()
    {
        using var admin = _app.AdminClient();
        var customer = await admin.CreateCustomerAsync("Before");
        await admin.SendAsync(HttpMethod.Patch, $"/admin/v1/customers/{customer.Id()}", """{"name":"After"}""");
        var key = await admin.PostJsonAsync($"/admin/v1/customers/{customer.Id()}/keys", """{"name":"k"}""");
        var keyId = key["api_key"]!["id"]!.GetValue<string>();
        await admin.SendAsync(HttpMethod.Post, $"/admin/v1/keys/{keyId}/revoke");

        var customerEntries = (await admin.GetJsonAsync($"/admin/v1/audit?target_type=customer&target_id={customer.Id()}")).Data();
        var keyEntries = (await admin.GetJsonAsync($"/admin/v1/audit?target_type=api_key&target_id={keyId}")).Data();

        Assert.Equal(["customer.update", "customer.create"], customerEntries.Select(e => e!["action"]!.GetValue<string>()));
        var update = customerEntries[0]!;
        Assert.Equal("env", update["actor"]!.GetValue<string>());
        Assert.Equal("Before", update["before"]!["name"]!.GetValue<string>());
        Assert.Equal("After", update["after"]!["name"]!.GetValue<string>());
        Assert.Null(customerEntries[1]!["before"]);
        Assert.Equal(["key.revoke", "key.create"], keyEntries.Select(e => e!["action"]!.GetValue<string>()));
        Assert.Equal("active", keyEntries[0]!["before"]!["status"]!.GetValue<string>());
        Assert.Equal("revoked", keyEntries[0]!["after"]!["status"]!.GetValue<string>());
    }
}
