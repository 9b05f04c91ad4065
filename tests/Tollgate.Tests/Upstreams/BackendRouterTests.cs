using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;
using Tollgate.Billing.Catalog;
using Tollgate.Billing.Pricing;
using Tollgate.Catalog;
using Tollgate.Gateway;
using Tollgate.Upstreams;

namespace Tollgate.Tests.Upstreams;

/// <summary>The order a routing policy gives a request's backends, without a server.</summary>
public sealed class BackendRouterTests
{
    private static readonly DateTimeOffset Now = new(2026, 10, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _time = new(Now);

    private static BackendEntry Backend(string id, int weight = 1, decimal? costPerMillion = null) =>
        new(id, "m", 0, BackendKind.Simulator, new BackendSettings { Weight = weight },
            costPerMillion is { } rate ? [new CostCard(1, id, Now, new TokenRates(rate, rate, rate))] : []);

    private static GatewayRequest Request(RoutingPolicy routing, params BackendEntry[] backends) =>
        new(new DefaultHttpContext(), ModelOperation.ChatCompletions, "req_1", Now)
        {
            Model = new ModelEntry("m", ModelKind.Chat, ModelTier.Standard, "o200k_base", 100, "x", Now, [], backends) { Routing = routing },
            OutputCap = 100,
        };

    [Fact]
    public void Order_Weighted_PicksInProportionToWeight()
    {
        var router = new BackendRouter(new BackendHealth(_time), _time);
        using var request = Request(RoutingPolicy.Weighted, Backend("light", 1), Backend("heavy", 99));

        var heavyFirst = Enumerable.Range(0, 400).Count(_ => router.Order(request)[0].Id == "heavy");

        // Expected 396 of 400; below 360 would be a 1-in-10^20 event if the weights were honoured.
        Assert.InRange(heavyFirst, 360, 400);
    }

    [Fact]
    public void Order_CostWithAFailedCheapest_CheapestHealthyFirstAndTheFailedLast()
    {
        var health = new BackendHealth(_time);
        var router = new BackendRouter(health, _time);
        using var request = Request(RoutingPolicy.Cost, Backend("unknown"), Backend("dear", costPerMillion: 5), Backend("mid", costPerMillion: 1),
            Backend("cheapest", costPerMillion: 0.1m));
        health.BreakerOpened("cheapest", TimeSpan.FromSeconds(30));

        Assert.Equal(["mid", "dear", "unknown", "cheapest"], router.Order(request).Select(b => b.Id));
    }
}
