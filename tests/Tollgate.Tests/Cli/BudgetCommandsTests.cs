using System.Text.Json;
using Tollgate.Cli;
using Tollgate.Tests.Admin;
using Tollgate.Tests.Budgets;
using Tollgate.Tests.Infrastructure;

namespace Tollgate.Tests.Cli;

/// <summary><c>budgets</c>, <c>limits</c> and <c>alerts</c>: setting what a customer or key may spend and how fast, and seeing thresholds crossed.</summary>
public sealed class BudgetCommandsTests : CliTestBase
{
    [Fact]
    public async Task BudgetsCustomer_SetThenRemove_ChangesTheMonthlyBudget()
    {
        var customer = (await Cli.JsonAsync("customers", "create", "--name", "Budgeted")).GetProperty("id").GetString()!;

        var set = await Cli.RunAsync("budgets", "customer", customer, "--monthly", "50");
        var removed = await Cli.JsonAsync("budgets", "customer", customer, "--remove");

        Assert.Equal(ExitCodes.Ok, set.ExitCode);
        Assert.Contains($"Set the monthly budget of {customer}.", set.Output);
        Assert.Contains("$50", set.Output);
        Assert.Equal(JsonValueKind.Null, removed.GetProperty("monthly_budget").ValueKind);
    }

    [Fact]
    public async Task BudgetsKey_AmountAndPeriod_ThenPeriodAlone_ThenRemove()
    {
        var key = (await Cli.JsonAsync("keys", "list", "--customer", await DemoCustomerIdAsync())).GetProperty("data")[0].GetProperty("id").GetString()!;

        var lifetime = await Cli.JsonAsync("budgets", "key", key, "--amount", "5", "--period", "lifetime");
        var monthly = await Cli.JsonAsync("budgets", "key", key, "--period", "monthly");
        var removed = await Cli.RunAsync("budgets", "key", key, "--remove");

        Assert.Equal(("5", "lifetime"), (lifetime.GetProperty("budget").GetString(), lifetime.GetProperty("budget_period").GetString()));
        Assert.Equal(("5", "monthly"), (monthly.GetProperty("budget").GetString(), monthly.GetProperty("budget_period").GetString()));
        Assert.Contains($"Removed the budget of key {key}.", removed.Output);
    }

    [Fact]
    public async Task BudgetsCreditLimit_SetOnPostpaid_ShowsIt()
    {
        var customer = (await Cli.JsonAsync("customers", "create", "--name", "Later", "--billing-mode", "postpaid")).GetProperty("id").GetString()!;

        var set = await Cli.RunAsync("budgets", "credit-limit", customer, "--amount", "200");

        Assert.Contains($"Set the credit limit of {customer}.", set.Output);
        Assert.Contains("$200", set.Output);
    }

    [Fact]
    public async Task Budgets_NeitherAmountNorRemove_RefusesLocally()
    {
        var customer = await DemoCustomerIdAsync();

        var result = await Cli.RunAsync("budgets", "customer", customer);

        Assert.Equal(ExitCodes.Refused, result.ExitCode);
        Assert.Contains("Give either --monthly <dollars> or --remove.", result.Error);
    }

    [Fact]
    public async Task LimitsCustomerAndKey_SetThenRemove()
    {
        var customer = await DemoCustomerIdAsync();
        var key = (await Cli.JsonAsync("keys", "list", "--customer", await DemoCustomerIdAsync())).GetProperty("data")[0].GetProperty("id").GetString()!;

        var customerLimits = await Cli.RunAsync("limits", "customer", customer, "--requests-per-minute", "60", "--tokens-per-minute", "90000");
        var keyLimits = await Cli.JsonAsync("limits", "key", key, "--concurrency", "2");
        var removed = await Cli.JsonAsync("limits", "customer", customer, "--remove");
        var refused = await Cli.RunAsync("limits", "key", key, "--requests-per-minute", "0");

        Assert.Contains("60 requests/min, 90,000 tokens/min", customerLimits.Output);
        Assert.Equal(2, keyLimits.GetProperty("rate_limits").GetProperty("concurrency").GetInt32());
        Assert.Equal(JsonValueKind.Null, removed.GetProperty("rate_limits").ValueKind);
        Assert.Equal(ExitCodes.Refused, refused.ExitCode);
        Assert.Contains("param: rate_limits.requests_per_minute", refused.Error);
    }

    [Fact]
    public async Task AlertsList_AfterABudgetThreshold_ShowsIt()
    {
        using var admin = App.AdminClient();
        await admin.SendAsync(HttpMethod.Put, "/admin/v1/models/dollar", BudgetAlertTests.DollarModel);
        // The demo key's customer (the demo also has a contracted enterprise customer).
        var customer = (await Cli.JsonAsync("customers", "list")).GetProperty("data").EnumerateArray()
            .Single(c => c.GetProperty("name").GetString() == "Demo Customer").GetProperty("id").GetString()!;
        await Cli.JsonAsync("budgets", "customer", customer, "--monthly", "2");
        using var client = App.ApiClient();
        using var response = await client.PostAsync("/v1/chat/completions", TollgateCalls.JsonBody(BudgetAlertTests.Chat));

        var alerts = await Cli.JsonAsync("alerts", "list");
        for (var i = 0; i < 100 && alerts.GetProperty("data").GetArrayLength() == 0; i++)
        {
            await Task.Delay(50);
            alerts = await Cli.JsonAsync("alerts", "list");
        }
        var table = await Cli.RunAsync("alerts", "list");

        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("budget.threshold", alerts.GetProperty("data")[0].GetProperty("type").GetString());
        Assert.Contains("50 %", table.Output);
        Assert.Contains(customer, table.Output);
        Assert.Contains("customer", table.Output);
    }
}
