using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Tollgate.Billing;
using Tollgate.Budgets;
using Tollgate.Tests.Admin;
using Tollgate.Tests.Infrastructure;

namespace Tollgate.Tests.Budgets;

/// <summary>
/// No overspend under concurrency: what is not reserved is not served, every refusal says
/// insufficient_quota, charges add up exactly, and no reservation is left open.
/// </summary>
public sealed class ReservationTests : IAsyncLifetime
{
    // $10 in, $20 out per million tokens; a request capped at 100 output tokens reserves about $0.0035.
    private const string FastModel = """
        {"kind":"chat","max_output_tokens":2000,
         "backends":[{"id":"fast-sim","kind":"simulator"}],
         "price":{"input":"10","output":"20"}}
        """;
    private readonly TollgateFactory _app = new(demo: false);

    public async Task InitializeAsync()
    {
        using var admin = _app.AdminClient();
        await admin.SendAsync(HttpMethod.Put, "/admin/v1/models/fast", FastModel);
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Theory]
    [InlineData("wallet", 100, 1)]
    [InlineData("key", 100, 1)]
    [InlineData("customer", 100, 1)]
    [InlineData("wallet", 40, 3)]
    [InlineData("wallet", null, 1)]
    public async Task ConcurrentRequests_LimitAffordsAbout20_NeverOverspendsAndChargesAddUp(string limitedBy, int? maxTokens, int n)
    {
        var body = Chat(maxTokens, n);
        var worstCase = await WorstCaseOfAsync(body);
        var limit = decimal.Round(worstCase * 20, 6);
        var (customerId, key) = await CustomerWithLimitAsync(limitedBy, limit);
        using var client = _app.ApiClient(key);

        var responses = await Task.WhenAll(Enumerable.Range(0, 500).Select(async _ =>
        {
            using var response = await client.PostAsync("/v1/chat/completions", TollgateCalls.JsonBody(body));
            return (response.StatusCode, Body: await response.Content.ReadAsStringAsync());
        }));

        var served = responses.Count(r => r.StatusCode == HttpStatusCode.OK);
        var refused = responses.Where(r => r.StatusCode != HttpStatusCode.OK).ToList();
        Assert.InRange(served, 20, 499);
        Assert.All(refused, r =>
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, r.StatusCode);
            Assert.Equal("insufficient_quota", JsonDocument.Parse(r.Body).RootElement.GetProperty("error").GetProperty("code").GetString());
        });
        var usage = await _app.UsageAsync();
        var charged = usage.Sum(u => u.ChargedAmount);
        Assert.Equal(served, usage.Count);
        // A wallet's funds and a lifetime key budget are spent once; the customer's budget is per UTC month, and a run
        // that crosses midnight on the last day (as CI's month-edge clock makes it) may spend it again in the new month.
        var spentAgainstTheLimit = limitedBy != "customer" ? charged
            : usage.GroupBy(u => (u.CompletedAt.UtcDateTime.Year, u.CompletedAt.UtcDateTime.Month)).Max(g => g.Sum(u => u.ChargedAmount));
        Assert.True(spentAgainstTheLimit <= limit, $"charged {spentAgainstTheLimit} over the limit {limit}");
        Assert.Equal(0, _app.Services.GetRequiredService<Accounts>().OpenReservations);
        using var admin = _app.AdminClient();
        var wallet = await admin.GetJsonAsync($"/admin/v1/customers/{customerId}/wallet");
        var granted = limitedBy == "wallet" ? limit : 1000m;
        Assert.Equal(granted - charged, Money.Parse(wallet["balance"]!.GetValue<string>()));
        Assert.True(Money.Parse(wallet["balance"]!.GetValue<string>()) >= 0);
    }

    [Fact]
    public async Task Refusal_NamesBudgetAndAffordableMaxTokens_WhichThenSucceeds()
    {
        var (_, key) = await CustomerWithLimitAsync("wallet", 0.002m);
        using var client = _app.ApiClient(key);

        using var refused = await client.PostAsync("/v1/chat/completions", TollgateCalls.JsonBody(Chat(maxTokens: 1000, n: 1)));
        var error = await TollgateCalls.AssertErrorAsync(refused, HttpStatusCode.TooManyRequests, "insufficient_quota", type: "insufficient_quota");
        var message = error.GetProperty("message").GetString()!;
        var affordable = int.Parse(System.Text.RegularExpressions.Regex.Match(message, @"largest max_tokens it could afford for this input is (\d+)").Groups[1].Value,
            System.Globalization.CultureInfo.InvariantCulture);
        using var fits = await client.PostAsync("/v1/chat/completions", TollgateCalls.JsonBody(Chat(affordable, 1)));
        using var tooMuch = await client.PostAsync("/v1/chat/completions", TollgateCalls.JsonBody(Chat(affordable + 5, 1)));

        Assert.Contains("wallet", message);
        Assert.Equal(HttpStatusCode.OK, fits.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, tooMuch.StatusCode);
    }

    [Fact]
    public async Task Account_DuringAndAfterRequests_ShowsBalanceAndBudgets()
    {
        var (_, key) = await CustomerWithLimitAsync("customer", 1m);
        using var client = _app.ApiClient(key);
        await client.PostAsync("/v1/chat/completions", TollgateCalls.JsonBody(Chat(50, 1)));

        var account = JsonNode.Parse(await client.GetStringAsync("/v1/account"))!.AsObject();

        var budget = account["budgets"]!.AsArray().Single()!;
        Assert.Equal("customer", budget["scope"]!.GetValue<string>());
        Assert.Equal("monthly", budget["period"]!.GetValue<string>());
        var spent = Money.Parse(budget["spent"]!.GetValue<string>());
        Assert.True(spent > 0);
        Assert.Equal(1m - spent, Money.Parse(budget["remaining"]!.GetValue<string>()));
        Assert.Equal(1000m - spent, Money.Parse(account["balance"]!["available"]!.GetValue<string>()));
        Assert.Equal("0", account["balance"]!["reserved"]!.GetValue<string>());
        Assert.Equal(["balance", "budgets", "contract", "customer", "gated_models", "limits", "subscription", "tier"],
            account.Select(p => p.Key).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task PostpaidWithCreditLimit_SpendsIntoCreditButNotPastIt()
    {
        using var admin = _app.AdminClient();
        var customer = await admin.PostJsonAsync("/admin/v1/customers", """{"name":"Later","billing_mode":"postpaid","credit_limit":"0.01"}""");
        var key = (await admin.PostJsonAsync($"/admin/v1/customers/{customer.Id()}/keys", "{}"))["key"]!.GetValue<string>();
        using var client = _app.ApiClient(key);

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 10; i++)
        {
            using var response = await client.PostAsync("/v1/chat/completions", TollgateCalls.JsonBody(Chat(100, 1)));
            statuses.Add(response.StatusCode);
        }

        var charged = (await _app.UsageAsync()).Sum(u => u.ChargedAmount);
        Assert.Contains(HttpStatusCode.OK, statuses);
        Assert.Contains(HttpStatusCode.TooManyRequests, statuses);
        Assert.True(charged <= 0.01m);
    }

    private static string Chat(int? maxTokens, int n) => new JsonObject
    {
        ["model"] = "fast",
        ["n"] = n,
        ["max_tokens"] = maxTokens,
        ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "Count the budget" }),
    }.ToJsonString();

    /// <summary>The reservation the gateway takes for this body: the byte bound of its input plus its whole output cap.</summary>
    private async Task<decimal> WorstCaseOfAsync(string body)
    {
        using var admin = _app.AdminClient();
        var model = await admin.GetJsonAsync("/admin/v1/models/fast");
        var request = JsonNode.Parse(body)!;
        var cap = request["max_tokens"]?.GetValue<int>() ?? model["max_output_tokens"]!.GetValue<int>();
        var bytes = System.Text.Encoding.UTF8.GetByteCount(body);
        return bytes * 10m / 1_000_000m + cap * request["n"]!.GetValue<int>() * 20m / 1_000_000m;
    }

    /// <summary>A customer limited by one account at <paramref name="limit"/>; the others are ample.</summary>
    private async Task<(string CustomerId, string Key)> CustomerWithLimitAsync(string limitedBy, decimal limit)
    {
        using var admin = _app.AdminClient();
        var budget = limitedBy == "customer" ? $$""","monthly_budget":"{{limit}}" """ : "";
        var customer = await admin.PostJsonAsync("/admin/v1/customers", $$"""{"name":"Limited"{{budget}}}""");
        var grant = limitedBy == "wallet" ? limit : 1000m;
        await admin.PostJsonAsync($"/admin/v1/customers/{customer.Id()}/grants", $$"""{"amount":"{{grant}}"}""");
        var keyBody = limitedBy == "key" ? $$"""{"budget":"{{limit}}","budget_period":"lifetime"}""" : "{}";
        var key = await admin.PostJsonAsync($"/admin/v1/customers/{customer.Id()}/keys", keyBody);
        return (customer.Id(), key["key"]!.GetValue<string>());
    }
}
