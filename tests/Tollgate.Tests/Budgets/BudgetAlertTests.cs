using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using Tollgate.Billing.Catalog;
using Tollgate.Budgets;
using Tollgate.Catalog;
using Tollgate.Tests.Admin;
using Tollgate.Tests.Infrastructure;
using Tollgate.Tests.Webhooks;
using Tollgate.Webhooks;

namespace Tollgate.Tests.Budgets;

/// <summary>
/// Budget thresholds (50, 80, 100 % by default) fire <c>budget.threshold</c> once per budget,
/// period and threshold, from real requests on a fake clock, and reach a subscribed receiver.
/// </summary>
public sealed class BudgetAlertTests : IAsyncLifetime
{
    // Every request costs exactly $1 (a request fee, no token price), so spend moves in known steps.
    internal const string DollarModel = """
        {"kind":"chat","max_output_tokens":100,"backends":[{"id":"dollar-sim","kind":"simulator"}],"price":{"input":"0","output":"0","request_fee":"1"}}
        """;
    internal const string Chat = """{"model":"dollar","max_tokens":5,"messages":[{"role":"user","content":"spend a dollar"}]}""";

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 10, 12, 0, 0, TimeSpan.Zero));
    private readonly TollgateFactory _app;
    private WebhookReceiver _receiver = null!;

    public BudgetAlertTests() => _app = new TollgateFactory(_time, demo: false);

    public async Task InitializeAsync()
    {
        _receiver = await WebhookReceiver.StartAsync();
        using var admin = _app.AdminClient();
        await admin.SendAsync(HttpMethod.Put, "/admin/v1/models/dollar", DollarModel);
        await admin.CreateEndpointAsync(_receiver.Url(), WebhookEventTypes.BudgetThreshold);
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    [Fact]
    public async Task CustomerMonthlyBudget_Crossing50Then80_TwoEvents_NoneMoreThisMonth_NextMonthFiresAgain()
    {
        using var admin = _app.AdminClient();
        var customer = await admin.PostJsonAsync("/admin/v1/customers", """{"name":"Alerted","monthly_budget":"10"}""");
        var key = await KeyAsync(admin, customer.Id(), "{}");

        await SpendAsync(key, 5);
        var atFifty = await ThresholdEventsAsync(admin);
        await SpendAsync(key, 3);
        var atEighty = await ThresholdEventsAsync(admin);
        await SpendAsync(key, 1);
        var atNinety = await ThresholdEventsAsync(admin);
        _time.SetUtcNow(new DateTimeOffset(2026, 12, 1, 0, 0, 1, TimeSpan.Zero));
        await SpendAsync(key, 5);
        var nextMonth = await ThresholdEventsAsync(admin);
        await _app.DeliverDueAsync();

        Assert.Equal([50m], atFifty.Select(Percent));
        Assert.Equal([50m, 80m], atEighty.Select(Percent));
        Assert.Equal(2, atNinety.Count);
        Assert.Equal([50m, 80m, 50m], nextMonth.Select(Percent));
        var first = atFifty[0];
        Assert.Equal("customer", first["budget"].Text());
        Assert.Equal(customer.Id(), first["customer_id"].Text());
        Assert.Null(first["key_id"]);
        Assert.Equal(("monthly", "10", "5"), (first["period"].Text(), first["limit"].Text(), first["spent"].Text()));
        Assert.Equal(new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero), first["period_start"]!.GetValue<DateTimeOffset>());
        Assert.Equal(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero), first["resets_at"]!.GetValue<DateTimeOffset>());
        Assert.Equal(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero), nextMonth[2]["period_start"]!.GetValue<DateTimeOffset>());
        // Each event reached the subscribed receiver once.
        Assert.Equal(3, _receiver.Received.Count);
        Assert.All(_receiver.Received, r => Assert.Equal(WebhookEventTypes.BudgetThreshold, r.EventType));
        Assert.Equal(3, _receiver.Received.Select(r => r.EventId).Distinct().Count());
    }

    [Fact]
    public async Task KeyLifetimeBudget_OneRequestCrossingEveryThreshold_FiresEachOnce_AndNotAgainNextMonth()
    {
        using var admin = _app.AdminClient();
        var customer = await admin.CreateCustomerAsync();
        var key = await KeyAsync(admin, customer.Id(), """{"budget":"1","budget_period":"lifetime"}""");
        using var client = _app.ApiClient(key);

        await SpendAsync(key, 1);
        using var refused = await client.PostAsync("/v1/chat/completions", TollgateCalls.JsonBody(Chat));
        _time.SetUtcNow(new DateTimeOffset(2026, 12, 1, 0, 0, 1, TimeSpan.Zero));
        using var stillRefused = await client.PostAsync("/v1/chat/completions", TollgateCalls.JsonBody(Chat));
        var events = await ThresholdEventsAsync(admin);

        Assert.Equal((HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests), (refused.StatusCode, stillRefused.StatusCode));
        Assert.Equal([50m, 80m, 100m], events.Select(Percent));
        Assert.All(events, e =>
        {
            Assert.Equal(("key", "lifetime", "1", "1"), (e["budget"].Text(), e["period"].Text(), e["limit"].Text(), e["spent"].Text()));
            Assert.Equal(customer.Id(), e["customer_id"].Text());
            Assert.NotNull(e["key_id"]);
            Assert.Null(e["period_start"]);
        });
    }

    [Fact]
    public async Task WalletOnly_NoBudget_NoEvents()
    {
        using var admin = _app.AdminClient();
        var customer = await admin.CreateCustomerAsync();
        var key = await KeyAsync(admin, customer.Id(), "{}", grant: "3");

        await SpendAsync(key, 3);

        Assert.Empty(await ThresholdEventsAsync(admin));
    }

    [Fact]
    public void Settle_ConcurrentSettlementsOverTheLine_ExactlyOneSeesEachCrossing()
    {
        var crossings = new ConcurrentBag<decimal>();
        var observer = new CrossingObserver(crossings);
        var now = _time.GetUtcNow();
        var customer = new CustomerEntry("cus_1", "c", BillingMode.Postpaid, now) { MonthlyBudget = 1000m };
        var key = new KeyEntry("key_1", customer.Id, "k", [], null, null, null, now);
        var accounts = new Accounts(_time, observer);
        accounts.Load(AccountTotals.Empty, new CatalogSnapshot([customer], [key], [], 1));

        Parallel.For(0, 1000, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            var reservation = accounts.TryReserve(customer, key, 1m, now, out _);
            reservation!.Settle(1m, now);
        });

        Assert.Equal([50m, 80m, 100m], crossings.Order());
        Assert.Equal(0, accounts.OpenReservations);
    }

    [Theory]
    [InlineData("0", "5", true)]
    [InlineData("4.99", "5", true)]
    [InlineData("5", "6", false)]
    [InlineData("4", "4.99", false)]
    public void Crossed_BelowToAtOrAbove_Only(string before, string after, bool crossed) =>
        Assert.Equal(crossed, BudgetAlerts.Crossed(50m, new BudgetSpend(decimal.Parse(before, CultureInfo.InvariantCulture),
            decimal.Parse(after, CultureInfo.InvariantCulture), 10m, default)));

    private static decimal Percent(JsonObject data) => data["threshold_percent"]!.GetValue<decimal>();

    private static async Task<string> KeyAsync(HttpClient admin, string customerId, string keyRequest, string grant = "100")
    {
        await admin.PostJsonAsync($"/admin/v1/customers/{customerId}/grants", $$"""{"amount":"{{grant}}"}""");
        return (await admin.PostJsonAsync($"/admin/v1/customers/{customerId}/keys", keyRequest))["key"].Text();
    }

    private async Task SpendAsync(string key, int requests)
    {
        using var client = _app.ApiClient(key);
        for (var i = 0; i < requests; i++)
        {
            using var response = await client.PostAsync("/v1/chat/completions", TollgateCalls.JsonBody(Chat));
            Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        }
    }

    /// <summary>The data of every stored <c>budget.threshold</c> event, oldest first, once the outbox has stored what was posted.</summary>
    private async Task<List<JsonObject>> ThresholdEventsAsync(HttpClient admin)
    {
        await _app.FlushOutboxAsync();
        var events = await admin.GetJsonAsync($"/admin/v1/webhook-events?type={WebhookEventTypes.BudgetThreshold}&limit=100");
        return [.. events.Data().Reverse().Select(e => e!["payload"]!["data"]!.AsObject())];
    }

    private sealed class CrossingObserver(ConcurrentBag<decimal> crossings) : IBudgetObserver
    {
        public void Spent(SpendAccount account, in BudgetSpend spend, DateTimeOffset at)
        {
            foreach (var percent in (decimal[])[50m, 80m, 100m])
            {
                if (BudgetAlerts.Crossed(percent, spend)) crossings.Add(percent);
            }
        }
    }
}
