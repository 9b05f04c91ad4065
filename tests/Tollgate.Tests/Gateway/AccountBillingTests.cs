using System.Net;
using System.Text.Json.Nodes;
using Tollgate.Tests.Admin;
using Tollgate.Tests.Invoicing;
using static Tollgate.Tests.Invoicing.InvoiceScene;

namespace Tollgate.Tests.Gateway;

/// <summary><c>/v1/account/usage</c> and <c>/v1/account/invoices</c>: a key sees its own customer's records and nothing else.</summary>
public sealed class AccountBillingTests
{
    private static readonly DateTimeOffset October = new(2026, 10, 5, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task AccountEndpoints_TwoCustomers_EachSeesOnlyItsOwnIssuedInvoicesAndUsage()
    {
        await using var scene = await StartAsync(October);
        var (alpha, alphaKey) = await scene.CustomerAsync();
        var (beta, betaKey) = await scene.CustomerAsync();
        // alpha: 100,000 input × $2/M + 10,000 output × $8/M = $0.28; beta: 300,000 input + 30,000 output = $0.84.
        await scene.ChatAsync(alphaKey, input: 100_000, output: 10_000);
        scene.Time.Advance(TimeSpan.FromDays(1));
        await scene.ChatAsync(betaKey, input: 300_000, output: 30_000);
        scene.Time.SetUtcNow(NovemberFirst);
        await scene.RunAsync("2026-10", finalize: true);
        // November so far: a draft for each, which customers do not see.
        await scene.ChatAsync(alphaKey, input: 1_000, output: 100);
        await scene.ChatAsync(betaKey, input: 1_000, output: 100);
        await scene.RunAsync("2026-11", finalize: false);
        var alphaOctober = await scene.InvoiceAsync(alpha, "2026-10");

        var alphaInvoices = await GetAsync(scene, alphaKey, "/v1/account/invoices");
        var betaInvoices = await GetAsync(scene, betaKey, "/v1/account/invoices");
        var alphaUsage = await GetAsync(scene, alphaKey, "/v1/account/usage?period=2026-10");
        var betaUsage = await GetAsync(scene, betaKey, "/v1/account/usage?period=2026-10");

        var own = Assert.Single(alphaInvoices.Data());
        Assert.Equal(alphaOctober.Id(), own!["id"]!.GetValue<string>());
        Assert.Equal(alpha, Text(own, "customer_id"));
        Assert.Equal(0.28m, Amount(own, "total"));
        Assert.NotEmpty(own["lines"]!.AsArray());
        var theirs = Assert.Single(betaInvoices.Data());
        Assert.Equal(beta, Text(theirs, "customer_id"));
        Assert.Equal(0.84m, Amount(theirs, "total"));
        Assert.DoesNotContain(beta, alphaInvoices.ToJsonString(), StringComparison.Ordinal);
        Assert.DoesNotContain(alpha, betaInvoices.ToJsonString(), StringComparison.Ordinal);

        Assert.Equal(0.28m, Amount(alphaUsage, "total_charged"));
        var day = Assert.Single(alphaUsage.Data());
        Assert.Equal("2026-10-05", Text(day, "day"));
        Assert.Equal(100_000, day!["input_tokens"]!.GetValue<long>());
        Assert.Equal(0.84m, Amount(betaUsage, "total_charged"));
        Assert.Equal("2026-10-06", Text(Assert.Single(betaUsage.Data()), "day"));
    }

    [Fact]
    public async Task AccountUsage_BadPeriodOrNoKey_Refused()
    {
        await using var scene = await StartAsync(October);
        var (_, key) = await scene.CustomerAsync();
        using var client = scene.App.ApiClient(key);
        using var anonymous = scene.App.CreateClient();

        using var badPeriod = await client.GetAsync("/v1/account/usage?period=2026-13");
        using var noKey = await anonymous.GetAsync("/v1/account/invoices");

        Assert.Equal(HttpStatusCode.BadRequest, badPeriod.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, noKey.StatusCode);
    }

    private static async Task<JsonObject> GetAsync(InvoiceScene scene, string key, string path)
    {
        using var client = scene.App.ApiClient(key);
        return await client.GetJsonAsync(path);
    }
}
