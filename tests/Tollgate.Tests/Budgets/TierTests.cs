using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;
using Tollgate.Tests.Admin;
using Tollgate.Tests.Infrastructure;

namespace Tollgate.Tests.Budgets;

/// <summary>
/// Spend tiers on a fake clock: automatic promotion by paid spend and account age (OpenAI's
/// table by default), the monthly spend cap and its reset, tier rate limits and their
/// precedence, the operator's override, and the tier in <c>/v1/account</c>.
/// </summary>
public sealed class TierTests : IAsyncLifetime
{
    // Every request costs exactly $1 (a request fee, no token price), so spend moves in known steps.
    private const string DollarModel = BudgetAlertTests.DollarModel;
    private const string Chat = BudgetAlertTests.Chat;

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 10, 12, 0, 0, TimeSpan.Zero));
    private readonly TollgateFactory _app;

    public TierTests() => _app = new TollgateFactory(_time, demo: false) { Tiers = true };

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task Promotion_DefaultTable_FollowsPaidSpendAndAccountAge()
    {
        using var admin = _app.AdminClient();
        var customer = (await admin.CreateCustomerAsync()).Id();
        var levels = new List<int> { await LevelAsync(admin, customer) };

        await GrantAsync(admin, customer, "100", "promotional");
        levels.Add(await LevelAsync(admin, customer));
        await GrantAsync(admin, customer, "5");
        levels.Add(await LevelAsync(admin, customer));
        await GrantAsync(admin, customer, "45");
        levels.Add(await LevelAsync(admin, customer));
        _time.Advance(TimeSpan.FromDays(7) - TimeSpan.FromSeconds(1));
        levels.Add(await LevelAsync(admin, customer));
        _time.Advance(TimeSpan.FromSeconds(1));
        levels.Add(await LevelAsync(admin, customer));
        await GrantAsync(admin, customer, "200");
        levels.Add(await LevelAsync(admin, customer));
        _time.Advance(TimeSpan.FromDays(7));
        levels.Add(await LevelAsync(admin, customer));
        await GrantAsync(admin, customer, "750");
        levels.Add(await LevelAsync(admin, customer));
        _time.Advance(TimeSpan.FromDays(16));
        levels.Add(await LevelAsync(admin, customer));

        // free; promo is not paid; $5 → 1; $50 but 0 days → 1; 6.99 days → 1; 7 days → 2; $250 at 7 days → 3; 14 days → 4; $1000 at 14 days → 4; 30 days → 5.
        Assert.Equal([0, 0, 1, 1, 1, 2, 3, 4, 4, 5], levels);
    }

    [Fact]
    public async Task Promotion_PaymentInTheLedger_CountsAsPaidAtTheNextRefresh()
    {
        using var admin = _app.AdminClient();
        var customer = (await admin.CreateCustomerAsync()).Id();

        await using (var connection = new SqliteConnection($"Data Source={_app.DatabasePath}"))
        {
            await connection.OpenAsync();
            var insert = connection.CreateCommand();
            insert.CommandText = "INSERT INTO ledger_entries (customer_id, kind, amount, reference, created_at) VALUES ($c, 2, '20', 'pay_1', 0)";
            insert.Parameters.AddWithValue("$c", customer);
            await insert.ExecuteNonQueryAsync();
        }
        var before = await LevelAsync(admin, customer);
        var after = before;
        for (var i = 0; i < 100 && after == before; i++)
        {
            _time.Advance(TimeSpan.FromMinutes(1));
            await Task.Delay(50);
            after = await LevelAsync(admin, customer);
        }

        Assert.Equal((0, 1), (before, after));
        Assert.Equal("20", (await admin.GetJsonAsync($"/admin/v1/customers/{customer}/tier"))["paid"]!.GetValue<string>());
    }

    [Fact]
    public async Task Promotion_InvoicePaid_CountsAsPaidAtOnce()
    {
        await using var scene = await Invoicing.InvoiceScene.StartAsync(new DateTimeOffset(2026, 10, 10, 12, 0, 0, TimeSpan.Zero), requestFee: "6", tiers: true);
        var (customer, key) = await scene.CustomerAsync("postpaid", creditLimit: "100");
        // The model's output cap (1M tokens) is over the free tier's tokens per minute: the customer's own limit lets the request in.
        await scene.Admin.SendAsync(HttpMethod.Patch, $"/admin/v1/customers/{customer}", """{"rate_limits":{"tokens_per_minute":100000000}}""");
        await scene.ChatAsync(key, input: 10, output: 10);
        scene.Time.SetUtcNow(new DateTimeOffset(2026, 11, 1, 0, 0, 5, TimeSpan.Zero));
        await scene.RunAsync("2026-10", finalize: true);
        var invoice = await scene.InvoiceAsync(customer, "2026-10");
        var before = await LevelAsync(scene.Admin, customer);

        await scene.Admin.PostJsonAsync($"/admin/v1/invoices/{invoice.Id()}/payments", $$"""{"amount":"{{invoice["total"]!.GetValue<string>()}}","reference":"wire-1"}""");

        Assert.Equal((0, 1), (before, await LevelAsync(scene.Admin, customer)));
    }

    [Fact]
    public async Task SpendCap_Reached_RefusesWithSpendCapReachedUntilTheNextUtcMonth()
    {
        await UseTableAsync(("free", "0", 0, null, "3"));
        using var admin = _app.AdminClient();
        var (_, key) = await CustomerAsync(admin, "100");
        using var client = _app.ApiClient(key);

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++) statuses.Add((await client.PostAsync("/v1/chat/completions", TollgateCalls.JsonBody(Chat))).StatusCode);
        using var refused = await client.PostAsync("/v1/chat/completions", TollgateCalls.JsonBody(Chat));
        var error = await TollgateCalls.AssertErrorAsync(refused, HttpStatusCode.TooManyRequests, "spend_cap_reached", type: "insufficient_quota");
        var retryAfter = TimeSpan.FromSeconds(long.Parse(refused.Headers.GetValues("retry-after").Single(), System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(new DateTimeOffset(2026, 4, 1, 0, 0, 0, TimeSpan.Zero), _time.GetUtcNow() + retryAfter);
        _time.Advance(new DateTimeOffset(2026, 4, 1, 0, 0, 0, TimeSpan.Zero) - _time.GetUtcNow() - TimeSpan.FromSeconds(1));
        using var stillRefused = await client.PostAsync("/v1/chat/completions", TollgateCalls.JsonBody(Chat));
        _time.Advance(TimeSpan.FromSeconds(1));
        using var nextMonth = await client.PostAsync("/v1/chat/completions", TollgateCalls.JsonBody(Chat));

        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.OK, s));
        var message = error.GetProperty("message").GetString()!;
        Assert.Contains("free monthly spend cap is $3", message);
        Assert.Contains("2026-04-01T00:00:00Z", message);
        Assert.Equal(HttpStatusCode.TooManyRequests, stillRefused.StatusCode);
        Assert.Equal(HttpStatusCode.OK, nextMonth.StatusCode);
    }

    [Fact]
    public async Task SpendCap_LowerThanCustomerBudget_IsTheRefusal_HigherBudgetLower_IsInsufficientQuota()
    {
        await UseTableAsync(("free", "0", 0, null, "2"));
        using var admin = _app.AdminClient();
        var (capped, cappedKey) = await CustomerAsync(admin, "100", budget: "5");
        var (_, budgetedKey) = await CustomerAsync(admin, "100", budget: "1");

        using var cappedClient = _app.ApiClient(cappedKey);
        using var budgetedClient = _app.ApiClient(budgetedKey);
        for (var i = 0; i < 2; i++) await cappedClient.PostAsync("/v1/chat/completions", TollgateCalls.JsonBody(Chat));
        await budgetedClient.PostAsync("/v1/chat/completions", TollgateCalls.JsonBody(Chat));

        await TollgateCalls.AssertErrorAsync(await cappedClient.PostAsync("/v1/chat/completions", TollgateCalls.JsonBody(Chat)),
            HttpStatusCode.TooManyRequests, "spend_cap_reached", type: "insufficient_quota");
        await TollgateCalls.AssertErrorAsync(await budgetedClient.PostAsync("/v1/chat/completions", TollgateCalls.JsonBody(Chat)),
            HttpStatusCode.TooManyRequests, "insufficient_quota", type: "insufficient_quota");
        var tier = await admin.GetJsonAsync($"/admin/v1/customers/{capped}/tier");
        Assert.Equal(("2", "2026-04-01T00:00:00+00:00"), (tier["spent_this_month"]!.GetValue<string>(), tier["resets_at"]!.GetValue<DateTimeOffset>().ToString("yyyy-MM-ddTHH:mm:sszzz", System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Fact]
    public async Task RateLimits_FromTier_ApplyUnlessTheCustomerHasItsOwn()
    {
        await UseTableAsync(("free", "0", 0, 2, null));
        using var admin = _app.AdminClient();
        var (_, tierKey) = await CustomerAsync(admin, "100");
        var (explicitCustomer, explicitKey) = await CustomerAsync(admin, "100");
        await admin.SendAsync(HttpMethod.Patch, $"/admin/v1/customers/{explicitCustomer}", """{"rate_limits":{"requests_per_minute":10}}""");

        var tierStatuses = await StatusesAsync(tierKey, 3);
        var explicitStatuses = await StatusesAsync(explicitKey, 3);
        using var client = _app.ApiClient(tierKey);
        var account = JsonNode.Parse(await client.GetStringAsync("/v1/account"))!;

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], tierStatuses);
        Assert.All(explicitStatuses, s => Assert.Equal(HttpStatusCode.OK, s));
        Assert.Equal(2, account["limits"]!.AsArray().Single(l => l!["name"]!.GetValue<string>() == "requests_per_minute")!["limit"]!.GetValue<long>());
    }

    [Fact]
    public async Task Override_SetThenCleared_FixesTheTierAndIsAudited()
    {
        using var admin = _app.AdminClient();
        var customer = (await admin.CreateCustomerAsync()).Id();

        var set = await admin.SendAsync(HttpMethod.Put, $"/admin/v1/customers/{customer}/tier", """{"level":4,"note":"enterprise trial"}""");
        var cleared = await admin.SendAsync(HttpMethod.Delete, $"/admin/v1/customers/{customer}/tier");
        var invalid = await admin.SendAsync(HttpMethod.Put, $"/admin/v1/customers/{customer}/tier", """{"level":6}""", HttpStatusCode.BadRequest);
        var audit = await admin.GetJsonAsync($"/admin/v1/audit?target_type=customer&target_id={customer}");

        Assert.Equal((4, "tier 4", true, 0), (set["current"]!["level"]!.GetValue<int>(), set["current"]!["name"]!.GetValue<string>(),
            set["overridden"]!.GetValue<bool>(), set["automatic_level"]!.GetValue<int>()));
        Assert.Equal("enterprise trial", set["override"]!["note"]!.GetValue<string>());
        Assert.Null(set["next"]);
        Assert.Equal((0, false), (cleared["current"]!["level"]!.GetValue<int>(), cleared["overridden"]!.GetValue<bool>()));
        Assert.Equal("level", invalid["error"]!["param"]!.GetValue<string>());
        var actions = audit.Data().Select(e => e!["action"]!.GetValue<string>()).ToList();
        Assert.Contains("tier.override", actions);
        Assert.Contains("tier.override_clear", actions);
    }

    [Fact]
    public async Task Override_SurvivesARestart()
    {
        var first = new TollgateFactory(_time, demo: false) { Tiers = true, KeepDataDir = true };
        string customer;
        using (var admin = first.AdminClient())
        {
            customer = (await admin.CreateCustomerAsync()).Id();
            await admin.SendAsync(HttpMethod.Put, $"/admin/v1/customers/{customer}/tier", """{"level":2}""");
        }
        await first.DisposeAsync();

        await using var restarted = new TollgateFactory(_time, demo: false, dataDir: first.DataDir) { Tiers = true };
        using var again = restarted.AdminClient();

        Assert.Equal(2, await LevelAsync(again, customer));
    }

    [Fact]
    public async Task Account_TierSection_ShowsCurrentNextRequirementsAndTheCapAsABudget()
    {
        using var admin = _app.AdminClient();
        var (_, key) = await CustomerAsync(admin, "6");
        _time.Advance(TimeSpan.FromDays(2.5));
        using var client = _app.ApiClient(key);

        var account = JsonNode.Parse(await client.GetStringAsync("/v1/account"))!;

        var tier = account["tier"]!;
        Assert.Equal((1, "tier 1", "100"), (tier["current"]!["level"]!.GetValue<int>(), tier["current"]!["name"]!.GetValue<string>(),
            tier["current"]!["monthly_spend_cap"]!.GetValue<string>()));
        Assert.Equal((2, 5000), (tier["next"]!["level"]!.GetValue<int>(), tier["next"]!["requests_per_minute"]!.GetValue<int>()));
        Assert.Equal(("50", 7, "6", 2), (tier["requirements"]!["paid"]!.GetValue<string>(), tier["requirements"]!["account_age_days"]!.GetValue<int>(),
            tier["requirements"]!["paid_so_far"]!.GetValue<string>(), tier["requirements"]!["account_age_days_so_far"]!.GetValue<int>()));
        var cap = account["budgets"]!.AsArray().Single(b => b!["scope"]!.GetValue<string>() == "tier")!;
        Assert.Equal(("monthly", "100", "0", "100"), (cap["period"]!.GetValue<string>(), cap["limit"]!.GetValue<string>(),
            cap["spent"]!.GetValue<string>(), cap["remaining"]!.GetValue<string>()));
    }

    [Fact]
    public void Table_Invalid_FailsAtStart()
    {
        _app.Configuration["Tiers:Levels:0:Name"] = "free";
        _app.Configuration["Tiers:Levels:0:MinPaid"] = "5";
        _app.Configuration["Tiers:Levels:1:Name"] = "free";

        var failure = Assert.ThrowsAny<Exception>(() => _app.CreateClient());

        Assert.Contains("Tiers:Levels:0", failure.ToString());
        Assert.Contains("distinct", failure.ToString());
    }

    [Fact]
    public async Task Table_Admin_ListsTheDefaultTable()
    {
        using var admin = _app.AdminClient();

        var table = await admin.GetJsonAsync("/admin/v1/tiers");

        Assert.True(table["enabled"]!.GetValue<bool>());
        Assert.Equal([("free", "0", 0), ("tier 1", "5", 0), ("tier 2", "50", 7), ("tier 3", "100", 7), ("tier 4", "250", 14), ("tier 5", "1000", 30)],
            table.Data().Select(t => (t!["name"]!.GetValue<string>(), t["min_paid"]!.GetValue<string>(), t["min_account_age_days"]!.GetValue<int>())));
    }

    /// <summary>Replaces the table by the given tiers (name, paid, age, requests per minute, cap) before the app starts.</summary>
    private Task UseTableAsync(params (string Name, string Paid, int Age, int? Rpm, string? Cap)[] levels)
    {
        for (var i = 0; i < levels.Length; i++)
        {
            _app.Configuration[$"Tiers:Levels:{i}:Name"] = levels[i].Name;
            _app.Configuration[$"Tiers:Levels:{i}:MinPaid"] = levels[i].Paid;
            _app.Configuration[$"Tiers:Levels:{i}:MinAccountAgeDays"] = levels[i].Age.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (levels[i].Rpm is { } rpm) _app.Configuration[$"Tiers:Levels:{i}:RequestsPerMinute"] = rpm.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (levels[i].Cap is { } cap) _app.Configuration[$"Tiers:Levels:{i}:MonthlySpendCap"] = cap;
        }
        return Task.CompletedTask;
    }

    private static async Task<(string CustomerId, string Key)> CustomerAsync(HttpClient admin, string purchased, string? budget = null)
    {
        await admin.SendAsync(HttpMethod.Put, "/admin/v1/models/dollar", DollarModel);
        var extra = budget is null ? "" : $$""","monthly_budget":"{{budget}}" """;
        var customer = (await admin.PostJsonAsync("/admin/v1/customers", $$"""{"name":"Tiered"{{extra}}}""")).Id();
        await GrantAsync(admin, customer, purchased);
        var key = await admin.PostJsonAsync($"/admin/v1/customers/{customer}/keys", "{}");
        return (customer, key["key"]!.GetValue<string>());
    }

    private async Task<List<HttpStatusCode>> StatusesAsync(string key, int requests)
    {
        using var client = _app.ApiClient(key);
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < requests; i++)
        {
            using var response = await client.PostAsync("/v1/chat/completions", TollgateCalls.JsonBody(Chat));
            statuses.Add(response.StatusCode);
        }
        return statuses;
    }

    private static Task GrantAsync(HttpClient admin, string customer, string amount, string kind = "purchased") =>
        admin.PostJsonAsync($"/admin/v1/customers/{customer}/grants", $$"""{"amount":"{{amount}}","kind":"{{kind}}"}""");

    private static async Task<int> LevelAsync(HttpClient admin, string customer) =>
        (await admin.GetJsonAsync($"/admin/v1/customers/{customer}/tier"))["current"]!["level"]!.GetValue<int>();
}
