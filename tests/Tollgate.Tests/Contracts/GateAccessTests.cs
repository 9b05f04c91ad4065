using System.Net;
using Tollgate.Tests.Admin;

namespace Tollgate.Tests.Contracts;

/// <summary>Each path to a gated model and each refusal, end to end through the OpenAI SDK.</summary>
public sealed class GateAccessTests
{
    [Fact]
    public async Task Call_NoContractRuleOrInvitation_Refused403NamingEachPathAndHiddenFromList()
    {
        await using var scene = await GateScene.StartAsync();
        var (_, key) = await scene.CustomerAsync();

        var refused = await scene.CallAsync(key);

        Assert.Equal(403, refused?.Status);
        Assert.Contains("\"code\":\"model_gated\"", refused?.Body, StringComparison.Ordinal);
        Assert.Contains("an enterprise contract entitling flag", refused?.Body, StringComparison.Ordinal);
        Assert.Contains("an invitation from the operator", refused?.Body, StringComparison.Ordinal);
        Assert.DoesNotContain(GateScene.Gated, await scene.ListedModelsAsync(key));
        using var client = scene.App.ApiClient(key);
        using var get = await client.GetAsync($"/v1/models/{GateScene.Gated}");
        Assert.Equal(HttpStatusCode.Forbidden, get.StatusCode);
        var standing = await scene.GatedStandingAsync(key);
        Assert.False(standing["callable"]!.GetValue<bool>());
        Assert.Equal(2, standing["missing"]!.AsArray().Count);
    }

    [Fact]
    public async Task Call_ContractEntitlesModel_ServedUntilCancelledMidMonth()
    {
        await using var scene = await GateScene.StartAsync();
        var (customer, key) = await scene.CustomerAsync();
        var contract = await scene.ContractAsync(customer);

        Assert.Null(await scene.CallAsync(key));
        Assert.Contains(GateScene.Gated, await scene.ListedModelsAsync(key));
        var standing = await scene.GatedStandingAsync(key);
        Assert.Equal("contract", standing["via"]!.GetValue<string>());

        scene.Time.Advance(TimeSpan.FromDays(10));
        await scene.Admin.PostJsonAsync($"/admin/v1/contracts/{contract.Id()}/cancel", "{}", HttpStatusCode.OK);

        Assert.Equal(403, (await scene.CallAsync(key))?.Status);
        Assert.DoesNotContain(GateScene.Gated, await scene.ListedModelsAsync(key));
        var audit = (await scene.Admin.GetJsonAsync($"/admin/v1/audit?target_type=contract&target_id={contract.Id()}")).Data();
        Assert.Equal(["contract.cancel", "contract.create"], audit.Select(a => a!["action"]!.GetValue<string>()).Order().Reverse().Take(2).Reverse().Order());
    }

    [Fact]
    public async Task Call_ContractTermEnds_RefusedFromItsEnd()
    {
        await using var scene = await GateScene.StartAsync();
        var (customer, key) = await scene.CustomerAsync();
        await scene.ContractAsync(customer, term: TimeSpan.FromDays(3));
        Assert.Null(await scene.CallAsync(key));

        scene.Time.Advance(TimeSpan.FromDays(3));

        Assert.Equal(403, (await scene.CallAsync(key))?.Status);
    }

    [Fact]
    public async Task Call_SpendAndAccountAge_AdmittedOnlyWhenBothHoldAndWhileTheSpendIsRecent()
    {
        await using var scene = await GateScene.StartAsync();
        await scene.Admin.SendAsync(HttpMethod.Put, $"/admin/v1/gates/{GateScene.Gated}",
            """{"min_spend":"1.00","spend_days":7,"min_account_age_days":3,"invitations":false}""");
        var (_, key) = await scene.CustomerAsync();

        // Four calls at $0.25 on another model: $1.00 of spend, but the account is a day old at most.
        for (var i = 0; i < 4; i++) Assert.Null(await scene.CallAsync(key, "open"));
        var young = await scene.CallAsync(key);
        Assert.Equal(403, young?.Status);
        Assert.Contains("(you have $1.00) and an account at least 3 days old (yours is 0)", young?.Body, StringComparison.Ordinal);

        scene.Time.Advance(TimeSpan.FromDays(3));
        Assert.Null(await scene.CallAsync(key));
        Assert.Equal("spend", (await scene.GatedStandingAsync(key))["via"]!.GetValue<string>());

        // Eight days on, the spend has left the trailing seven days (the stored rollups agree with memory).
        scene.Time.Advance(TimeSpan.FromDays(5));
        await scene.RefreshSpendAsync();
        var lapsed = await scene.CallAsync(key);
        Assert.Equal(403, lapsed?.Status);
        Assert.Contains("(you have $0.00)", lapsed?.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Call_PrepaidSpendingPromotionalCredit_DoesNotQualifyUntilPaid()
    {
        await using var scene = await GateScene.StartAsync();
        await scene.Admin.SendAsync(HttpMethod.Put, $"/admin/v1/gates/{GateScene.Gated}", """{"min_spend":"1.00","spend_days":30}""");
        var (customer, key) = await scene.CustomerAsync("prepaid");
        await scene.Admin.PostJsonAsync($"/admin/v1/customers/{customer}/grants", """{"amount":"5","kind":"promotional"}""");
        for (var i = 0; i < 4; i++) Assert.Null(await scene.CallAsync(key, "open"));

        Assert.Equal(403, (await scene.CallAsync(key))?.Status);

        await scene.Admin.PostJsonAsync($"/admin/v1/customers/{customer}/grants", """{"amount":"1","kind":"purchased"}""");
        await scene.RefreshSpendAsync();
        Assert.Null(await scene.CallAsync(key));
    }

    [Fact]
    public async Task Call_Invitation_AdmittedUntilItExpiresOrIsRevoked()
    {
        await using var scene = await GateScene.StartAsync();
        var (customer, key) = await scene.CustomerAsync();
        var (other, otherKey) = await scene.CustomerAsync();
        await scene.Admin.PostJsonAsync("/admin/v1/invitations", $$"""{"customer_id":"{{customer}}","model_id":"{{GateScene.Gated}}","days":2}""");
        var revoked = await scene.Admin.PostJsonAsync("/admin/v1/invitations", $$"""{"customer_id":"{{other}}","model_id":"{{GateScene.Gated}}","days":2}""");

        Assert.Null(await scene.CallAsync(key));
        Assert.Equal("invitation", (await scene.GatedStandingAsync(key))["via"]!.GetValue<string>());
        Assert.Null(await scene.CallAsync(otherKey));

        await scene.Admin.PostJsonAsync($"/admin/v1/invitations/{revoked.Id()}/revoke", "{}", HttpStatusCode.OK);
        Assert.Equal(403, (await scene.CallAsync(otherKey))?.Status);

        scene.Time.Advance(TimeSpan.FromDays(2));
        Assert.Equal(403, (await scene.CallAsync(key))?.Status);
        var listed = (await scene.Admin.GetJsonAsync($"/admin/v1/invitations?customer={customer}")).Data().Single()!;
        Assert.Equal("expired", listed["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Call_GatedModelOutsideTheKeysScope_NotFoundEvenWithContract()
    {
        await using var scene = await GateScene.StartAsync();
        var (customer, _) = await scene.CustomerAsync();
        await scene.ContractAsync(customer);
        var scoped = (await scene.Admin.PostJsonAsync($"/admin/v1/customers/{customer}/keys", """{"models":["open"]}"""))["key"]!.GetValue<string>();

        Assert.Equal(404, (await scene.CallAsync(scoped))?.Status);
        Assert.False((await scene.GatedStandingAsync(scoped))["callable"]!.GetValue<bool>());
    }
}
