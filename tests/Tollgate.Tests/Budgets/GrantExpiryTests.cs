using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Tollgate.Billing;
using Tollgate.Budgets;
using Tollgate.Tests.Admin;
using Tollgate.Tests.Infrastructure;

namespace Tollgate.Tests.Budgets;

public sealed class GrantExpiryTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 10, 12, 0, 0, TimeSpan.Zero));
    private readonly TollgateFactory _app;

    public GrantExpiryTests() => _app = new TollgateFactory(_time, demo: false);

    public async Task InitializeAsync()
    {
        using var admin = _app.AdminClient();
        await admin.SendAsync(HttpMethod.Put, "/admin/v1/models/m", """
            {"kind":"chat","max_output_tokens":100,"backends":[{"id":"m-sim","kind":"simulator"}],"price":{"input":"100","output":"200"}}
            """);
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task ExpireDue_PromotionalGrantPastExpiry_RemainderLeavesOnceAndWalletFollows()
    {
        using var admin = _app.AdminClient();
        var customer = await admin.CreateCustomerAsync();
        await admin.PostJsonAsync($"/admin/v1/customers/{customer.Id()}/grants",
            $$"""{"amount":"1","kind":"promotional","expires_at":"{{_time.GetUtcNow().AddDays(1):O}}"}""");
        await admin.PostJsonAsync($"/admin/v1/customers/{customer.Id()}/grants", """{"amount":"2"}""");
        var key = (await admin.PostJsonAsync($"/admin/v1/customers/{customer.Id()}/keys", "{}"))["key"]!.GetValue<string>();
        using var client = _app.ApiClient(key);
        using var served = await client.PostAsync("/v1/chat/completions",
            TollgateCalls.JsonBody("""{"model":"m","max_tokens":20,"messages":[{"role":"user","content":"spend"}]}"""));
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        var spent = Assert.Single(await _app.UsageAsync()).ChargedAmount;
        var expiry = _app.Services.GetRequiredService<GrantExpiryService>();

        await expiry.ExpireDueAsync(CancellationToken.None);
        var before = await admin.GetJsonAsync($"/admin/v1/customers/{customer.Id()}/wallet");
        _time.Advance(TimeSpan.FromDays(1));
        await expiry.ExpireDueAsync(CancellationToken.None);
        await expiry.ExpireDueAsync(CancellationToken.None);
        var after = await admin.GetJsonAsync($"/admin/v1/customers/{customer.Id()}/wallet");

        Assert.Equal(3m - spent, Money.Parse(before["balance"]!.GetValue<string>()));
        // The promotional grant paid for the request, and what was left of it expired.
        Assert.Equal(2m, Money.Parse(after["balance"]!.GetValue<string>()));
        var promo = after["grants"]!.AsArray().Single(g => g!["kind"]!.GetValue<string>() == "promotional")!;
        Assert.True(promo["expired"]!.GetValue<bool>());
        Assert.Equal("0", promo["remaining"]!.GetValue<string>());
        Assert.Equal(2m, _app.Services.GetRequiredService<Accounts>().WalletView(customer.Id())!.Available);
    }

    [Fact]
    public async Task MonthlyBudget_NewUtcMonth_StartsEmptyAgain()
    {
        using var admin = _app.AdminClient();
        var customer = await admin.PostJsonAsync("/admin/v1/customers", """{"name":"Monthly","monthly_budget":"0.02"}""");
        await admin.PostJsonAsync($"/admin/v1/customers/{customer.Id()}/grants", """{"amount":"10"}""");
        var key = (await admin.PostJsonAsync($"/admin/v1/customers/{customer.Id()}/keys", "{}"))["key"]!.GetValue<string>();
        using var client = _app.ApiClient(key);
        const string body = """{"model":"m","max_tokens":50,"messages":[{"role":"user","content":"spend"}]}""";

        var thisMonth = new List<HttpStatusCode>();
        for (var i = 0; i < 6; i++) thisMonth.Add((await client.PostAsync("/v1/chat/completions", TollgateCalls.JsonBody(body))).StatusCode);
        _time.SetUtcNow(new DateTimeOffset(2026, 12, 1, 0, 0, 1, TimeSpan.Zero));
        using var nextMonth = await client.PostAsync("/v1/chat/completions", TollgateCalls.JsonBody(body));

        Assert.Contains(HttpStatusCode.TooManyRequests, thisMonth);
        Assert.Equal(HttpStatusCode.OK, nextMonth.StatusCode);
    }
}
