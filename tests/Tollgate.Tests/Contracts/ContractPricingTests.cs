using System.Net;
using System.Text.Json.Nodes;
using Tollgate.Tests.Admin;
using Tollgate.Tests.Infrastructure;

namespace Tollgate.Tests.Contracts;

/// <summary>A contract's rate overrides and discount decide what each request is charged.</summary>
public sealed class ContractPricingTests
{
    [Fact]
    public async Task Charge_OverrideForOneModelDiscountForTheRest_ExactAmounts()
    {
        await using var scene = await GateScene.StartAsync();
        var (customer, key) = await scene.CustomerAsync();
        await scene.ContractAsync(customer, ""","discount_percent":"10","rate_overrides":{"open":{"input":"0","output":"0","request_fee":"0.10"}}""");

        // open: the override's $0.10 a request; other: list $1.00 less 10% = $0.90.
        Assert.Equal(0.10m, await CostAsync(scene, key, "open"));
        Assert.Equal(0.90m, await CostAsync(scene, key, "other"));

        var events = (await scene.Admin.GetJsonAsync($"/admin/v1/usage?customer_id={customer}")).Data();
        Assert.Equal([1.00m, 0.25m], events.Select(e => decimal.Parse(e!["list_amount"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture)).Order().Reverse());
        Assert.Equal([0.90m, 0.10m], events.Select(e => decimal.Parse(e!["charged_amount"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture)).Order().Reverse());
    }

    [Fact]
    public async Task Charge_AfterContractEnds_BackAtList()
    {
        await using var scene = await GateScene.StartAsync();
        var (customer, key) = await scene.CustomerAsync();
        await scene.ContractAsync(customer, ""","discount_percent":"50" """, TimeSpan.FromDays(1));
        Assert.Equal(0.50m, await CostAsync(scene, key, "other"));

        scene.Time.Advance(TimeSpan.FromDays(1));

        Assert.Equal(1.00m, await CostAsync(scene, key, "other"));
    }

    private static async Task<decimal> CostAsync(GateScene scene, string key, string model)
    {
        using var client = scene.App.ApiClient(key);
        using var response = await client.PostAsync("/v1/chat/completions",
            TollgateCalls.JsonBody($$"""{"model":"{{model}}","max_tokens":5,"messages":[{"role":"user","content":"hello"}]}"""));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        return body["usage"]!["cost"]!.GetValue<decimal>();
    }
}
