using System.Net;
using System.Text.Json.Nodes;
using Tollgate.Billing;
using Tollgate.Tests.Admin;
using Tollgate.Tests.Infrastructure;
using static Tollgate.Tests.Subscriptions.SubscriptionScene;

namespace Tollgate.Tests.Subscriptions;

public sealed class AllowanceTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 10, 9, 0, 0, TimeSpan.Zero);
    private const string Session = """[{"name":"5h","kind":"session","duration_minutes":300,"size":7}]""";

    [Fact]
    public async Task Block_SessionUsedUp_RefusedUntilItResets()
    {
        await using var scene = await StartAsync(Start);
        await scene.PlanAsync("basic", "20", Session);
        var (_, key) = await scene.SubscriberAsync("basic");

        // "big" weighs 3 units a request: two fit in 7 units, the third does not.
        var first = await scene.ChatAsync(key);
        scene.Time.Advance(TimeSpan.FromHours(1));
        var second = await scene.ChatAsync(key);
        var third = await scene.ChatAsync(key);
        var small = await scene.ChatAsync(key, "small");
        var error = await TollgateCalls.AssertErrorAsync(third, HttpStatusCode.TooManyRequests, "allowance_exhausted", type: "requests");
        scene.Time.Advance(TimeSpan.FromHours(4));
        var afterReset = await scene.ChatAsync(key);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(HttpStatusCode.OK, small.StatusCode);
        Assert.Contains("2026-11-10T14:00:00Z", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal((4 * 3600).ToString(System.Globalization.CultureInfo.InvariantCulture), third.Headers.RetryAfter?.ToString());
        Assert.Equal(HttpStatusCode.OK, afterReset.StatusCode);
        var usage = await scene.App.UsageAsync();
        Assert.All(usage, u => Assert.Equal(0m, u.ChargedAmount));
        Assert.Equal([1L, 3L, 3L, 3L], usage.Select(u => u.Units).Order());
        Assert.All(usage, u => Assert.True(u.ListAmount > 0));
    }

    [Fact]
    public async Task Metered_AllowanceUsedUp_ChargedAtPriceCardFromWallet()
    {
        await using var scene = await StartAsync(Start);
        await scene.PlanAsync("metered", "20", """[{"name":"month","kind":"calendar","size":3}]""", overage: "metered");
        var (customer, key) = await scene.SubscriberAsync("metered", credit: "25");

        var inside = await scene.ChatAsync(key);
        scene.Time.Advance(TimeSpan.FromSeconds(1));
        var over = await scene.ChatAsync(key);
        var account = await (await scene.App.ApiClient(key).GetAsync("/v1/account")).Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, inside.StatusCode);
        Assert.Equal(HttpStatusCode.OK, over.StatusCode);
        var usage = (await scene.App.UsageAsync()).OrderBy(u => u.StartedAt).ToList();
        Assert.Equal(0m, usage[0].ChargedAmount);
        Assert.Equal(usage[1].ListAmount, usage[1].ChargedAmount);
        Assert.Equal(0, usage[1].Units);
        var wallet = await scene.Admin.GetJsonAsync($"/admin/v1/customers/{customer}/wallet");
        var fee = 20m * (20 * 86400 + 15 * 3600) / (30 * 86400);  // started Nov 10 09:00: 20 days 15 hours of November's 30 days
        Assert.Equal(decimal.Round(25m - fee - usage[1].ChargedAmount, 10), decimal.Round(Money.Parse(wallet["balance"]!.GetValue<string>()), 10));
        var windows = JsonNode.Parse(account)!["subscription"]!["windows"]!.AsArray();
        Assert.Equal(3, windows[0]!["used"]!.GetValue<long>());
        Assert.Equal(0, windows[0]!["remaining"]!.GetValue<long>());
    }

    [Fact]
    public async Task Downgrade_AllowanceUsedUp_ServedByCheaperModelAndBilledAsIt()
    {
        await using var scene = await StartAsync(Start);
        await scene.PlanAsync("down", "20", """[{"name":"week","kind":"rolling","duration_minutes":10080,"size":3,"model":"big"}]""",
            overage: "downgrade", downgrade: "small");
        var (_, key) = await scene.SubscriberAsync("down");

        using var inside = await scene.ChatAsync(key);
        scene.Time.Advance(TimeSpan.FromSeconds(1));
        using var downgraded = await scene.ChatAsync(key);
        var body = JsonNode.Parse(await downgraded.Content.ReadAsStringAsync())!;

        Assert.Equal(HttpStatusCode.OK, downgraded.StatusCode);
        Assert.Equal("small", body["model"]!.GetValue<string>());
        Assert.Equal("big", downgraded.Headers.GetValues("x-tollgate-downgraded-from").Single());
        var usage = (await scene.App.UsageAsync()).OrderBy(u => u.StartedAt).ToList();
        Assert.Equal("small", usage[1].ModelId);
        Assert.True(usage[1].ChargedAmount > 0);
    }

    [Fact]
    public async Task Downgrade_RequestForTheDowngradeModelItself_RefusedNotDowngradedToItself()
    {
        await using var scene = await StartAsync(Start);
        await scene.PlanAsync("down", "20", """[{"name":"week","kind":"rolling","duration_minutes":10080,"size":1}]""",
            overage: "downgrade", downgrade: "small", weights: "{}");
        var (_, key) = await scene.SubscriberAsync("down");

        using var inside = await scene.ChatAsync(key, model: "small");
        scene.Time.Advance(TimeSpan.FromSeconds(1));
        using var past = await scene.ChatAsync(key, model: "small");

        Assert.Equal(HttpStatusCode.OK, inside.StatusCode);
        await TollgateCalls.AssertErrorAsync(past, HttpStatusCode.TooManyRequests, "allowance_exhausted", type: "requests");
        Assert.False(past.Headers.Contains("x-tollgate-downgraded-from"));
    }

    [Theory]
    [InlineData("big", "10", "30")]
    [InlineData("pricey", "20", "60")]
    [InlineData("same", "10", "30")]
    [InlineData("mixed", "5", "40")]
    public async Task PutPlan_DowngradeModelNotCheaperThanOneItReplaces_400NamingTheField(string id, string input, string output)
    {
        await using var scene = await StartAsync(Start);
        if (id != "big")
        {
            await scene.Admin.SendAsync(HttpMethod.Put, $"/admin/v1/models/{id}", $$"""
                {"kind":"chat","max_output_tokens":200,"backends":[{"id":"{{id}}-sim","kind":"simulator"}],"price":{"input":"{{input}}","output":"{{output}}"} }
                """);
        }

        using var response = await scene.Admin.RawAsync(HttpMethod.Put, "/admin/v1/plans/down", $$"""
            {"name":"Down","monthly_price":"20","models":["big","small"],"windows":[{"name":"5h","kind":"session","duration_minutes":300,"size":3}],
             "overage":"downgrade","downgrade_model":"{{id}}"}
            """);

        var error = await TollgateCalls.AssertErrorAsync(response, HttpStatusCode.BadRequest, null, param: "downgrade_model");
        Assert.Contains("must be cheaper than", error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Block_ManyConcurrentRequests_ServeAtMostTheUnitsLeft()
    {
        await using var scene = await StartAsync(Start);
        await scene.PlanAsync("tight", "20", """[{"name":"5h","kind":"session","duration_minutes":300,"size":20}]""", weights: "{}");
        var (_, key) = await scene.SubscriberAsync("tight");

        var responses = await Task.WhenAll(Enumerable.Range(0, 200).Select(_ => scene.ChatAsync(key)));

        Assert.Equal(20, responses.Count(r => r.StatusCode == HttpStatusCode.OK));
        Assert.Equal(180, responses.Count(r => r.StatusCode == HttpStatusCode.TooManyRequests));
        Assert.Equal(20, (await scene.App.UsageAsync()).Sum(u => u.Units));
    }
}
