using System.Net;
using Tollgate.Tests.Infrastructure;

namespace Tollgate.Tests.Admin;

public sealed class CustomerEndpointsTests : IAsyncLifetime
{
    private readonly TollgateFactory _app = new(demo: false);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task CreateThenGet_NewCustomer_ReturnsSameDocument()
    {
        using var admin = _app.AdminClient();

        var created = await admin.PostJsonAsync("/admin/v1/customers", """{"name":" Acme ","billing_mode":"postpaid"}""");
        var read = await admin.GetJsonAsync($"/admin/v1/customers/{created.Id()}");

        Assert.StartsWith("cus_", created.Id());
        Assert.Equal("Acme", created["name"]!.GetValue<string>());
        Assert.Equal("postpaid", created["billing_mode"]!.GetValue<string>());
        Assert.Equal(created.ToJsonString(), read.ToJsonString());
    }

    [Fact]
    public async Task List_MoreThanOnePage_PagesWithStartingAfterUntilHasMoreIsFalse()
    {
        using var admin = _app.AdminClient();
        var ids = new List<string>();
        for (var i = 0; i < 5; i++) ids.Add((await admin.CreateCustomerAsync($"c{i}")).Id());

        var seen = new List<string>();
        string? after = null;
        var pages = 0;
        while (pages < 10)
        {
            var page = await admin.GetJsonAsync($"/admin/v1/customers?limit=2{(after is null ? "" : $"&starting_after={after}")}");
            seen.AddRange(page.Data().Select(c => c!["id"]!.GetValue<string>()));
            pages++;
            if (!page["has_more"]!.GetValue<bool>()) break;
            after = seen[^1];
        }

        Assert.Equal(3, pages);
        // Customers made in the same millisecond are ordered by id, so compare as sets without repeats.
        Assert.Equal(ids.Order(StringComparer.Ordinal), seen.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Update_NameAndMode_ChangesBothAndKeepsCreationTime()
    {
        using var admin = _app.AdminClient();
        var created = await admin.CreateCustomerAsync();

        var updated = await admin.SendAsync(HttpMethod.Patch, $"/admin/v1/customers/{created.Id()}", """{"name":"Acme Inc","billing_mode":"postpaid"}""");

        Assert.Equal("Acme Inc", updated["name"]!.GetValue<string>());
        Assert.Equal("postpaid", updated["billing_mode"]!.GetValue<string>());
        Assert.Equal(created["created_at"]!.ToJsonString(), updated["created_at"]!.ToJsonString());
    }

    [Theory]
    [InlineData("""{}""", "name")]
    [InlineData("""{"name":"  "}""", "name")]
    [InlineData("""{"name":"a","billing_mode":"barter"}""", "billing_mode")]
    public async Task Create_InvalidField_Returns400NamingTheField(string body, string param)
    {
        using var admin = _app.AdminClient();

        using var response = await admin.RawAsync(HttpMethod.Post, "/admin/v1/customers", body);

        await TollgateCalls.AssertErrorAsync(response, HttpStatusCode.BadRequest, null, param);
    }

    [Fact]
    public async Task Get_UnknownCustomer_Returns404ResourceMissing()
    {
        using var admin = _app.AdminClient();

        using var response = await admin.RawAsync(HttpMethod.Get, "/admin/v1/customers/cus_nope");

        await TollgateCalls.AssertErrorAsync(response, HttpStatusCode.NotFound, "resource_missing");
    }
}
