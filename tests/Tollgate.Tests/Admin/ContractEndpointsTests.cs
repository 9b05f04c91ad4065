using System.Net;
using Tollgate.Tests.Contracts;

namespace Tollgate.Tests.Admin;

public sealed class ContractEndpointsTests
{
    [Fact]
    public async Task CreateContract_InvalidRequests_400NamingTheFieldOr409()
    {
        await using var scene = await GateScene.StartAsync();
        var (postpaid, _) = await scene.CustomerAsync();
        var (prepaid, _) = await scene.CustomerAsync("prepaid");
        var ends = scene.Time.GetUtcNow().AddDays(90).ToString("O");
        await scene.ContractAsync(postpaid);

        (string Body, int Status, string Param)[] cases =
        [
            ($$"""{"customer_id":"{{prepaid}}","ends_at":"{{ends}}","monthly_commitment":"1"}""", 400, "customer_id"),
            ($$"""{"customer_id":"nobody","ends_at":"{{ends}}","monthly_commitment":"1"}""", 400, "customer_id"),
            ($$"""{"customer_id":"{{postpaid}}","monthly_commitment":"1"}""", 400, "ends_at"),
            ($$"""{"customer_id":"{{postpaid}}","ends_at":"2020-01-01T00:00:00Z","monthly_commitment":"1"}""", 400, "ends_at"),
            ($$"""{"customer_id":"{{postpaid}}","ends_at":"{{ends}}","monthly_commitment":"-1"}""", 400, "monthly_commitment"),
            ($$"""{"customer_id":"{{postpaid}}","ends_at":"{{ends}}","monthly_commitment":"1","discount_percent":"100"}""", 400, "discount_percent"),
            ($$"""{"customer_id":"{{postpaid}}","ends_at":"{{ends}}","monthly_commitment":"1","entitled_models":["open"]}""", 400, "entitled_models"),
            ($$"""{"customer_id":"{{postpaid}}","ends_at":"{{ends}}","monthly_commitment":"1","rate_overrides":{"open":{"input":"x"} } }""", 400,
                "rate_overrides.open.input"),
            ($$"""{"customer_id":"{{postpaid}}","ends_at":"{{ends}}","monthly_commitment":"1"}""", 409, "contract_overlap"),
        ];
        foreach (var (body, status, param) in cases)
        {
            using var response = await scene.Admin.RawAsync(HttpMethod.Post, "/admin/v1/contracts", body);
            var error = (await response.ReadJsonAsync())!["error"]!;
            Assert.True((int)response.StatusCode == status, $"{body}: {(int)response.StatusCode} {error}");
            Assert.Equal(param, status == 409 ? error["code"]!.GetValue<string>() : error["param"]!.GetValue<string>());
        }
    }

    [Fact]
    public async Task GatesAndInvitations_WrongModelOrClosedPath_Refused()
    {
        await using var scene = await GateScene.StartAsync();
        var (customer, _) = await scene.CustomerAsync();
        await scene.Admin.SendAsync(HttpMethod.Put, "/admin/v1/gates/flag", """{"invitations":false}""");

        using var notGated = await scene.Admin.RawAsync(HttpMethod.Put, "/admin/v1/gates/open", """{"min_spend":"1"}""");
        using var badDays = await scene.Admin.RawAsync(HttpMethod.Put, "/admin/v1/gates/flag", """{"min_spend":"1","spend_days":0}""");
        using var closed = await scene.Admin.RawAsync(HttpMethod.Post, "/admin/v1/invitations", $$"""{"customer_id":"{{customer}}","model_id":"flag"}""");
        using var unknown = await scene.Admin.RawAsync(HttpMethod.Get, "/admin/v1/contracts/ctr_nope");

        Assert.Equal(HttpStatusCode.BadRequest, notGated.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badDays.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, closed.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task Scopes_BillingTokenWritesContractsNotGates_GatesTokenTheReverse()
    {
        await using var scene = await GateScene.StartAsync();
        var (customer, _) = await scene.CustomerAsync();
        using var billing = scene.App.AdminClient(await scene.Admin.CreateTokenAsync("billing"));
        using var gates = scene.App.AdminClient(await scene.Admin.CreateTokenAsync("gates"));
        var contract = $$"""{"customer_id":"{{customer}}","ends_at":"{{scene.Time.GetUtcNow().AddDays(30):O}}","monthly_commitment":"1"}""";

        using var billingGate = await billing.RawAsync(HttpMethod.Put, "/admin/v1/gates/flag", """{"min_spend":"1"}""");
        using var gatesContract = await gates.RawAsync(HttpMethod.Post, "/admin/v1/contracts", contract);
        using var billingContract = await billing.RawAsync(HttpMethod.Post, "/admin/v1/contracts", contract);
        using var gatesGate = await gates.RawAsync(HttpMethod.Put, "/admin/v1/gates/flag", """{"min_spend":"1"}""");

        Assert.Equal(HttpStatusCode.Forbidden, billingGate.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, gatesContract.StatusCode);
        Assert.Equal(HttpStatusCode.Created, billingContract.StatusCode);
        Assert.Equal(HttpStatusCode.OK, gatesGate.StatusCode);
    }

    [Fact]
    public async Task Progress_HalfwayThroughTheMonth_ProjectsUsageAndTrueUp()
    {
        // From 1 June 00:00; 16 June 00:00 is 15 of 30 days: half the period elapsed.
        await using var scene = await GateScene.StartAsync(new DateTimeOffset(2026, 6, 1, 0, 0, 0, TimeSpan.Zero));
        var (customer, key) = await scene.CustomerAsync();
        var contract = await scene.ContractAsync(customer);
        // Eight requests to "other" at $1.00 each: $8.00 used.
        for (var i = 0; i < 8; i++) Assert.Null(await scene.CallAsync(key, "other"));
        scene.Time.SetUtcNow(new DateTimeOffset(2026, 6, 16, 0, 0, 0, TimeSpan.Zero));

        var progress = await scene.Admin.GetJsonAsync($"/admin/v1/contracts/{contract.Id()}/progress");

        Assert.Equal("2026-06", progress["period"]!.GetValue<string>());
        Assert.Equal("100", progress["commitment"]!.GetValue<string>());
        Assert.Equal("8", progress["used"]!.GetValue<string>());
        Assert.Equal("0.5", progress["elapsed_share"]!.GetValue<string>());
        // At this pace: 8 / 0.5 = 16 by month end, leaving a true-up of 100 − 16 = 84.
        Assert.Equal("16", progress["projected_usage"]!.GetValue<string>());
        Assert.Equal("84", progress["projected_true_up"]!.GetValue<string>());
    }
}
