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

    [Theory]
    [InlineData(0)]
    [InlineData(300)]
    public async Task Chat_OnlyCreditExpiredBeforeTheJobRan_RefusedAndBalanceNeverNegative(int millisecondsAfterExpiry)
    {
        using var admin = _app.AdminClient();
        var customer = await admin.CreateCustomerAsync();
        var expiresAt = _time.GetUtcNow().AddDays(1);
        await admin.PostJsonAsync($"/admin/v1/customers/{customer.Id()}/grants",
            $$"""{"amount":"1","kind":"promotional","expires_at":"{{expiresAt:O}}"}""");
        var key = (await admin.PostJsonAsync($"/admin/v1/customers/{customer.Id()}/keys", "{}"))["key"]!.GetValue<string>();
        using var client = _app.ApiClient(key);
        const string body = """{"model":"m","max_tokens":20,"messages":[{"role":"user","content":"spend"}]}""";
        _time.SetUtcNow(expiresAt.AddMilliseconds(-1));
        using var before = await client.PostAsync("/v1/chat/completions", TollgateCalls.JsonBody(body));
        var spent = Assert.Single(await _app.UsageAsync()).ChargedAmount;

        // The expiry job has not run: the wallet still holds the grant's remainder, but cannot spend it.
        _time.SetUtcNow(expiresAt.AddMilliseconds(millisecondsAfterExpiry));
        using var after = await client.PostAsync("/v1/chat/completions", TollgateCalls.JsonBody(body));
        var shown = await admin.GetJsonAsync($"/admin/v1/customers/{customer.Id()}/wallet");
        await _app.Services.GetRequiredService<GrantExpiryService>().ExpireDueAsync(CancellationToken.None);
        var written = await admin.GetJsonAsync($"/admin/v1/customers/{customer.Id()}/wallet");
        var ledger = await admin.GetJsonAsync($"/admin/v1/customers/{customer.Id()}/ledger");

        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, after.StatusCode);
        Assert.Single(await _app.UsageAsync());
        Assert.Equal(0m, Money.Parse(shown["balance"]!.GetValue<string>()));
        Assert.Equal(0m, Money.Parse(written["balance"]!.GetValue<string>()));
        // The expiry entry is exactly the unused remainder, so the ledger sums to zero, not below.
        var amounts = ledger["data"]!.AsArray().Select(e => Money.Parse(e!["amount"]!.GetValue<string>())).ToList();
        Assert.Contains(-(1m - spent), amounts);
        Assert.Equal(0m, amounts.Sum());
    }

    [Fact]
    public async Task ExpireDue_RequestInFlightAcrossTheExpiry_WaitsForItThenWritesTheExactRest()
    {
        using var admin = _app.AdminClient();
        var customerNode = await admin.CreateCustomerAsync();
        var expiresAt = _time.GetUtcNow().AddDays(1);
        await admin.PostJsonAsync($"/admin/v1/customers/{customerNode.Id()}/grants",
            $$"""{"amount":"1","kind":"promotional","expires_at":"{{expiresAt:O}}"}""");
        await admin.PostJsonAsync($"/admin/v1/customers/{customerNode.Id()}/keys", "{}");
        var snapshot = _app.Services.GetRequiredService<Tollgate.Catalog.CatalogState>().Current;
        var customer = snapshot.Customers[customerNode.Id()];
        var key = snapshot.Keys.Values.Single(k => k.CustomerId == customer.Id);
        var accounts = _app.Services.GetRequiredService<Accounts>();
        var expiry = _app.Services.GetRequiredService<GrantExpiryService>();
        var started = expiresAt.AddMilliseconds(-1);
        _time.SetUtcNow(started);
        var held = accounts.TryReserve(customer, key, 0.5m, started, out _)!;

        _time.SetUtcNow(expiresAt.AddMinutes(5));
        await expiry.ExpireDueAsync(CancellationToken.None);
        var whileInFlight = await admin.GetJsonAsync($"/admin/v1/customers/{customer.Id}/ledger");
        await _app.Services.GetRequiredService<Tollgate.Storage.IUsageRecorder>().RecordAsync(new Tollgate.Storage.UsageEvent
        {
            RequestId = "req_inflight", CustomerId = customer.Id, KeyId = key.Id, ModelId = "m", BackendId = "m-sim", PriceVersion = null,
            Tokens = new Tollgate.Billing.Pricing.TokenUsage(10, 0, 10, 0), ListAmount = 0.3m, ChargedAmount = 0.3m, CostToServe = 0m,
            Status = Tollgate.Storage.UsageStatus.Completed, Source = Tollgate.Storage.UsageSource.Backend, Streamed = true, LatencyMs = 300_001,
            StartedAt = started, CompletedAt = _time.GetUtcNow(),
        });
        held.Settle(0.3m, _time.GetUtcNow());
        await expiry.ExpireDueAsync(CancellationToken.None);
        var wallet = await admin.GetJsonAsync($"/admin/v1/customers/{customer.Id}/wallet");
        var ledger = await admin.GetJsonAsync($"/admin/v1/customers/{customer.Id}/ledger");

        Assert.DoesNotContain(whileInFlight["data"]!.AsArray(), e => e!["kind"]!.GetValue<string>() == "expiry");
        var entry = Assert.Single(ledger["data"]!.AsArray(), e => e!["kind"]!.GetValue<string>() == "expiry")!;
        Assert.Equal(-0.7m, Money.Parse(entry["amount"]!.GetValue<string>()));
        Assert.Equal(0m, Money.Parse(wallet["balance"]!.GetValue<string>()));
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
