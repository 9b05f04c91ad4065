using System.Net;
using System.Text.Json.Nodes;
using Tollgate.Tests.Admin;
using Tollgate.Tests.Infrastructure;
using static Tollgate.Tests.Economics.EconomicsScene;

namespace Tollgate.Tests.Economics;

/// <summary>Margins, subscriber profitability and replay over a seeded month, through the admin API, against hand-computed totals.</summary>
public sealed class MarginReportTests : IAsyncLifetime
{
    private EconomicsScene _scene = null!;

    public async Task InitializeAsync()
    {
        _scene = await StartAsync();
        _scene.Scene.Time.SetUtcNow(October.AddDays(10));
    }

    public async Task DisposeAsync() => await _scene.DisposeAsync();

    private static (string Group, decimal Usage, decimal Subscriptions, decimal Promotional, decimal Revenue, decimal Cost, decimal Margin) Row(JsonNode? row) =>
        (row!["group"]!.GetValue<string>(), Amount(row, "usage_revenue"), Amount(row, "subscription_revenue"), Amount(row, "promotional_discount"),
            Amount(row, "revenue"), Amount(row, "cost_to_serve"), Amount(row, "gross_margin"));

    [Fact]
    public async Task Margins_ByDay_SpreadsFeesAndShowsPromotionalCreditAsADiscount()
    {
        var report = await _scene.GetAsync("/admin/v1/economics/margins?group_by=day&from=2026-10-01&to=2026-10-05");

        // Two $31 subscriptions: $2 a day. On the 3rd: $20 of usage, $3 of it paid by promotional credit, $8 of cost.
        Assert.Equal(
            [
                ("2026-10-01", 0m, 2m, 0m, 2m, 0m, 2m),
                ("2026-10-02", 0m, 2m, 0m, 2m, 0m, 2m),
                ("2026-10-03", 20m, 2m, 3m, 19m, 8m, 11m),
                ("2026-10-04", 0m, 2m, 0m, 2m, 0m, 2m),
            ],
            report.Data().Select(Row));
        Assert.Equal(("total", 20m, 8m, 3m, 25m, 8m, 17m), Row(report["total"]));
        Assert.Equal("68", report["total"]!["margin_percent"]!.GetValue<string>());
        Assert.Equal(("2026-10-01", "2026-10-05"), (report["from"]!.GetValue<string>(), report["to"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Margins_ByPlanAndModel_SameTotalOtherCuts()
    {
        var byPlan = await _scene.GetAsync("/admin/v1/economics/margins?group_by=plan&from=2026-10-01&to=2026-10-05");
        var byModel = await _scene.GetAsync("/admin/v1/economics/margins?group_by=model&from=2026-10-01&to=2026-10-05");

        Assert.Equal([("(no plan)", 20m, 0m, 3m, 17m, 6m, 11m), ("pro", 0m, 8m, 0m, 8m, 2m, 6m)], byPlan.Data().Select(Row));
        Assert.Equal([("(subscription fees)", 0m, 8m, 0m, 8m, 0m, 8m), ("m", 20m, 0m, 3m, 17m, 8m, 9m)], byModel.Data().Select(Row));
        Assert.Equal(Row(byPlan["total"]), Row(byModel["total"]));
    }

    [Fact]
    public async Task Margins_BadGrouping_400NamingIt()
    {
        using var response = await _scene.Admin.RawAsync(HttpMethod.Get, "/admin/v1/economics/margins?group_by=week");

        await TollgateCalls.AssertErrorAsync(response, HttpStatusCode.BadRequest, null, "group_by");
    }

    [Fact]
    public async Task Subscribers_HeavyUser_CountedAsCostingMoreThanItPays()
    {
        var report = await _scene.GetAsync("/admin/v1/economics/subscribers?period=2026-10");

        Assert.Equal(2, report["subscribers"]!.GetValue<int>());
        Assert.Equal(1, report["unprofitable"]!.GetValue<int>());
        Assert.Equal("50", report["unprofitable_percent"]!.GetValue<string>());
        var heaviest = report["heaviest"]!.AsArray()[0]!;
        Assert.Equal(_scene.HeavySubscriber, heaviest["customer_id"]!.GetValue<string>());
        Assert.Equal((31m, 40m, -9m), (Amount(heaviest, "revenue"), Amount(heaviest, "cost_to_serve"), Amount(heaviest, "margin")));
        var plan = Assert.Single(report["plans"]!.AsArray())!;
        Assert.Equal((62m, 42m, 20m), (Amount(plan, "revenue"), Amount(plan, "cost_to_serve"), Amount(plan, "margin")));
    }

    [Fact]
    public async Task Replay_ProposedPriceAndPlan_MatchesHandComputedMonth()
    {
        _scene.Scene.Time.SetUtcNow(October.AddMonths(1).AddDays(1));

        var replay = await _scene.Admin.PostJsonAsync("/admin/v1/economics/replay", """
            {"period":"2026-10","prices":{"m":{"input":"3","cached_input":"1","output":"6"}},"plan_prices":{"pro":"40"}}
            """, HttpStatusCode.OK);

        // Pay-as-you-go: 1.5M in + 1.5M out, $15 → $4.50 + $9. Promoted: $5 → $4.50. Subscribers: usage stays free, fees $31 → $40.
        var proposed = replay.Data().ToDictionary(c => c!["customer_id"]!.GetValue<string>(), c => (Amount(c, "current_revenue"), Amount(c, "proposed_revenue")));
        Assert.Equal((15m, 13.5m), proposed[_scene.PayAsYouGo]);
        Assert.Equal((5m, 4.5m), proposed[_scene.Promoted]);
        Assert.Equal((31m, 40m), proposed[_scene.Subscriber]);
        Assert.Equal((31m, 40m), proposed[_scene.HeavySubscriber]);
        Assert.Equal((82m, 98m, 48m), (Amount(replay, "current_revenue"), Amount(replay, "proposed_revenue"), Amount(replay, "cost_to_serve")));
        Assert.Equal((2, 2), (replay["pay_more"]!.GetValue<int>(), replay["pay_less"]!.GetValue<int>()));
    }

    [Fact]
    public async Task Replay_UnknownModel_400NamingIt()
    {
        using var response = await _scene.Admin.RawAsync(HttpMethod.Post, "/admin/v1/economics/replay", """{"prices":{"nope":{"input":"1"}}}""");

        await TollgateCalls.AssertErrorAsync(response, HttpStatusCode.BadRequest, null, "prices.nope");
    }
}
