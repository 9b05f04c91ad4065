using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Tollgate.Billing;
using Tollgate.Budgets;
using Tollgate.Tests.Admin;
using Tollgate.Tests.Infrastructure;

namespace Tollgate.Tests.Budgets;

/// <summary>A budget set or changed while Tollgate runs counts all of its period's spend, not only what came after.</summary>
public sealed class BudgetChangeTests : IAsyncLifetime
{
    private const string Model = """
        {"kind":"chat","max_output_tokens":2000,
         "backends":[{"id":"sim","kind":"simulator"}],
         "price":{"input":"10","output":"20"}}
        """;
    // Frozen at the chosen instant: a monthly budget's spend must not cross into the next month mid-test.
    private readonly TollgateFactory _app = new(new Microsoft.Extensions.Time.Testing.FakeTimeProvider(TestClock.Start ?? TimeProvider.System.GetUtcNow()),
        demo: false);

    public async Task InitializeAsync()
    {
        using var admin = _app.AdminClient();
        await admin.SendAsync(HttpMethod.Put, "/admin/v1/models/m", Model);
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task CustomerMonthlyBudget_SetAfterSpending_CountsTheMonthsSpendSoFar()
    {
        using var admin = _app.AdminClient();
        var (customerId, _, key) = await CustomerAsync(admin);
        var spent = await SpendAsync(key, 3);

        await admin.SendAsync(HttpMethod.Patch, $"/admin/v1/customers/{customerId}", $$"""{"monthly_budget":"{{spent + 0.000001m}}"}""");
        var budget = await AccountBudgetAsync(key, "customer");
        using var client = _app.ApiClient(key);
        using var refused = await client.PostAsync("/v1/chat/completions", TollgateCalls.JsonBody(Chat()));

        Assert.Equal(spent, Money.Parse(budget["spent"]!.GetValue<string>()));
        Assert.Equal("0.000001", budget["remaining"]!.GetValue<string>());
        await TollgateCalls.AssertErrorAsync(refused, HttpStatusCode.TooManyRequests, "insufficient_quota", type: "insufficient_quota");
    }

    [Fact]
    public async Task CustomerMonthlyBudget_RemovedAndSetAgain_KeepsCounting()
    {
        using var admin = _app.AdminClient();
        var (customerId, _, key) = await CustomerAsync(admin, ""","monthly_budget":"100" """);
        var first = await SpendAsync(key, 2);
        await admin.SendAsync(HttpMethod.Patch, $"/admin/v1/customers/{customerId}", """{"monthly_budget":""}""");
        var second = await SpendAsync(key, 2);

        await admin.SendAsync(HttpMethod.Patch, $"/admin/v1/customers/{customerId}", """{"monthly_budget":"50"}""");

        Assert.Equal(first + second, Money.Parse((await AccountBudgetAsync(key, "customer"))["spent"]!.GetValue<string>()));
    }

    [Fact]
    public async Task KeyBudget_SetAfterSpendingThenSwitchedToLifetime_CountsAllSpend()
    {
        using var admin = _app.AdminClient();
        var (_, keyId, key) = await CustomerAsync(admin);
        var spent = await SpendAsync(key, 2);

        await admin.SendAsync(HttpMethod.Patch, $"/admin/v1/keys/{keyId}", """{"budget":"10","budget_period":"monthly"}""");
        var monthly = await AccountBudgetAsync(key, "key");
        await admin.SendAsync(HttpMethod.Patch, $"/admin/v1/keys/{keyId}", """{"budget_period":"lifetime"}""");
        var lifetime = await AccountBudgetAsync(key, "key");

        Assert.Equal(spent, Money.Parse(monthly["spent"]!.GetValue<string>()));
        Assert.Equal(("lifetime", spent), (lifetime["period"]!.GetValue<string>(), Money.Parse(lifetime["spent"]!.GetValue<string>())));
        Assert.Equal(0, _app.Services.GetRequiredService<Accounts>().OpenReservations);
    }

    private static string Chat() => """{"model":"m","max_tokens":50,"messages":[{"role":"user","content":"Count it"}]}""";

    private static async Task<(string CustomerId, string KeyId, string Key)> CustomerAsync(HttpClient admin, string extra = "")
    {
        var customer = await admin.PostJsonAsync("/admin/v1/customers", $$"""{"name":"Changing"{{extra}}}""");
        await admin.PostJsonAsync($"/admin/v1/customers/{customer.Id()}/grants", """{"amount":"100"}""");
        var key = await admin.PostJsonAsync($"/admin/v1/customers/{customer.Id()}/keys", "{}");
        return (customer.Id(), key["api_key"]!["id"]!.GetValue<string>(), key["key"]!.GetValue<string>());
    }

    /// <summary>Makes <paramref name="requests"/> requests and returns what they were charged.</summary>
    private async Task<decimal> SpendAsync(string key, int requests)
    {
        using var client = _app.ApiClient(key);
        var before = (await _app.UsageAsync()).Sum(u => u.ChargedAmount);
        for (var i = 0; i < requests; i++)
        {
            using var response = await client.PostAsync("/v1/chat/completions", TollgateCalls.JsonBody(Chat()));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        return (await _app.UsageAsync()).Sum(u => u.ChargedAmount) - before;
    }

    private async Task<JsonNode> AccountBudgetAsync(string key, string scope)
    {
        using var client = _app.ApiClient(key);
        var account = JsonNode.Parse(await client.GetStringAsync("/v1/account"))!;
        return account["budgets"]!.AsArray().Single(b => b!["scope"]!.GetValue<string>() == scope)!;
    }
}
