using System.Net;
using Tollgate.Billing;
using Tollgate.Tests.Admin;
using Tollgate.Tests.Infrastructure;
using static Tollgate.Tests.Subscriptions.SubscriptionScene;

namespace Tollgate.Tests.Subscriptions;

public sealed class SubscriptionLifecycleTests
{
    private const string Month = """[{"name":"month","kind":"calendar","size":100}]""";

    private static async Task<List<(string Kind, decimal Amount, string Reference)>> LedgerAsync(SubscriptionScene scene, string customer)
    {
        var ledger = await scene.Admin.GetJsonAsync($"/admin/v1/customers/{customer}/ledger?limit=100");
        return [.. ledger.Data().Select(e => (e!["kind"]!.GetValue<string>(), Money.Parse(e["amount"]!.GetValue<string>()), e["reference"]!.GetValue<string>()))];
    }

    [Fact]
    public async Task Start_MidMonth_FirstFeeProratedBySeconds()
    {
        // Nov 16 00:00 UTC: 15 of November's 30 days are left, so a $30 plan charges exactly $15.
        await using var scene = await StartAsync(new DateTimeOffset(2026, 11, 16, 0, 0, 0, TimeSpan.Zero));
        await scene.PlanAsync("pro", "30", Month);
        var (customer, _) = await scene.SubscriberAsync("pro", credit: "40");

        var fees = (await LedgerAsync(scene, customer)).Where(e => e.Kind == "subscription_fee").ToList();

        var fee = Assert.Single(fees);
        Assert.Equal(-15m, fee.Amount);
    }

    [Fact]
    public async Task ChangePlan_UpgradeThenRenewal_ProratedDifferenceThenFullPriceOnInvoice()
    {
        // Start Nov 1 00:00 on $20: fee $20. Upgrade to $50 on Nov 21 00:00 (10 of 30 days left):
        //   ($50 − $20) × 10/30 = $10. Renewal Dec 1: $50. November's invoice: $20 + $10 = $30.
        await using var scene = await StartAsync(new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero));
        await scene.PlanAsync("basic", "20", Month);
        await scene.PlanAsync("max", "50", Month);
        var (customer, _) = await scene.SubscriberAsync("basic", credit: "200");

        scene.Time.SetUtcNow(new DateTimeOffset(2026, 11, 21, 0, 0, 0, TimeSpan.Zero));
        var upgraded = await scene.Admin.PostJsonAsync($"/admin/v1/customers/{customer}/subscription/change", """{"plan_id":"max"}""", HttpStatusCode.OK);
        scene.Time.SetUtcNow(new DateTimeOffset(2026, 12, 1, 0, 0, 30, TimeSpan.Zero));
        await scene.RenewAsync();
        var fees = (await LedgerAsync(scene, customer)).Where(e => e.Kind == "subscription_fee").Select(e => e.Amount).ToList();
        var run = await scene.Admin.PostJsonAsync("/admin/v1/invoice-runs", $$"""{"period":"2026-11","finalize":true,"customer_id":"{{customer}}"}""",
            HttpStatusCode.Accepted);
        await WaitAsync(scene, run.Id());
        var invoices = await scene.Admin.GetJsonAsync($"/admin/v1/invoices?customer_id={customer}&period=2026-11");
        var invoice = await scene.Admin.GetJsonAsync($"/admin/v1/invoices/{invoices.Data()[0]!["id"]!.GetValue<string>()}");
        var reconcile = await scene.Admin.GetJsonAsync("/admin/v1/reconcile?period=2026-11");

        Assert.Equal("max", upgraded["plan"]!.GetValue<string>());
        Assert.Equal([-20m, -10m, -50m], fees);
        var feeLines = invoice["lines"]!.AsArray().Where(l => l!["kind"]!.GetValue<string>() == "subscription_fee").ToList();
        Assert.Equal([20m, 10m], feeLines.Select(l => Money.Parse(l!["rounded_amount"]!.GetValue<string>())));
        Assert.Equal("paid", invoice["status"]!.GetValue<string>());
        Assert.True(reconcile["agrees"]!.GetValue<bool>());
    }

    [Theory]
    [InlineData("2026-12-07T09:30:00Z")]
    [InlineData("2027-02-28T00:00:00Z")]
    [InlineData("2026-12-31T23:59:00Z")]
    public async Task ChangePlan_UpgradeTwoSecondsAfterStart_ChargedTheDifferenceOverTheCalendarMonth(string startText)
    {
        // A first-month upgrade prorates over the same calendar month as the first fee did, not over
        // the subscription's own (shorter) first period: "$20, then $100" never costs more than "$100 from the start".
        var start = DateTimeOffset.Parse(startText, System.Globalization.CultureInfo.InvariantCulture);
        await using var scene = await StartAsync(start);
        await scene.PlanAsync("basic", "20", Month);
        await scene.PlanAsync("max", "100", Month);
        var (customer, _) = await scene.SubscriberAsync("basic", credit: "200");

        scene.Time.Advance(TimeSpan.FromSeconds(2));
        await scene.Admin.PostJsonAsync($"/admin/v1/customers/{customer}/subscription/change", """{"plan_id":"max"}""", HttpStatusCode.OK);
        var fees = (await LedgerAsync(scene, customer)).Where(e => e.Kind == "subscription_fee").Select(e => -e.Amount).ToList();

        var month = Tollgate.Billing.Invoices.BillingPeriod.Of(start);
        var upgradedAt = scene.Time.GetUtcNow();
        var share = (decimal)(long)(month.End - upgradedAt).TotalSeconds / (decimal)(month.End - month.Start).TotalSeconds;
        Assert.Equal(2, fees.Count);
        Assert.Equal(80m * share, fees[1], 9);
        var fromTheStart = 100m * (decimal)(long)(month.End - start).TotalSeconds / (decimal)(month.End - month.Start).TotalSeconds;
        Assert.True(fees.Sum() <= fromTheStart + 0.0000000001m, $"{fees.Sum()} > {fromTheStart}");
    }

    [Fact]
    public async Task Cancel_AtPeriodEnd_NoRenewalAndNoIncludedUsage()
    {
        await using var scene = await StartAsync(new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero));
        await scene.PlanAsync("basic", "20", Month);
        var (customer, key) = await scene.SubscriberAsync("basic", credit: "50");

        await scene.Admin.PostJsonAsync($"/admin/v1/customers/{customer}/subscription/cancel", "{}", HttpStatusCode.OK);
        var stillIncluded = await scene.ChatAsync(key);
        scene.Time.SetUtcNow(new DateTimeOffset(2026, 12, 1, 0, 0, 1, TimeSpan.Zero));
        await scene.RenewAsync();
        using var afterEnd = await scene.Admin.RawAsync(HttpMethod.Get, $"/admin/v1/customers/{customer}/subscription");
        var charged = await scene.ChatAsync(key);

        Assert.Equal(HttpStatusCode.OK, stillIncluded.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, afterEnd.StatusCode);
        Assert.Equal([-20m], (await LedgerAsync(scene, customer)).Where(e => e.Kind == "subscription_fee").Select(e => e.Amount));
        Assert.Equal(HttpStatusCode.OK, charged.StatusCode);
        var usage = (await scene.App.UsageAsync()).OrderBy(u => u.StartedAt).ToList();
        Assert.Equal(0m, usage[0].ChargedAmount);
        Assert.True(usage[1].ChargedAmount > 0);
    }

    [Fact]
    public async Task Renew_PrepaidWalletShort_PastDueThenActiveOnceToppedUp()
    {
        // $20 plan from Nov 1: the $25 wallet pays November, leaving $5; December's $20 cannot be paid.
        await using var scene = await StartAsync(new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero));
        await scene.PlanAsync("basic", "20", Month);
        var (customer, key) = await scene.SubscriberAsync("basic", credit: "25");

        scene.Time.SetUtcNow(new DateTimeOffset(2026, 12, 1, 0, 1, 0, TimeSpan.Zero));
        await scene.RenewAsync();
        var pastDue = await scene.Admin.GetJsonAsync($"/admin/v1/customers/{customer}/subscription");
        using var notIncluded = await scene.ChatAsync(key, maxTokens: 10);
        await scene.Admin.PostJsonAsync($"/admin/v1/customers/{customer}/grants", """{"amount":"30"}""");
        await scene.RenewAsync();
        var active = await scene.Admin.GetJsonAsync($"/admin/v1/customers/{customer}/subscription");

        Assert.Equal("past_due", pastDue["status"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, notIncluded.StatusCode);
        Assert.True((await scene.App.UsageAsync()).Single().ChargedAmount > 0);
        Assert.Equal("active", active["status"]!.GetValue<string>());
        Assert.Equal([-20m, -20m], (await LedgerAsync(scene, customer)).Where(e => e.Kind == "subscription_fee").Select(e => e.Amount));
    }

    [Fact]
    public async Task Start_WithTrial_NoFeeUntilTrialEndsThenProrated()
    {
        // Trial of 5 days from Nov 6 00:00 ends Nov 11 00:00: 20 of 30 days left → $30 × 20/30 = $20.
        await using var scene = await StartAsync(new DateTimeOffset(2026, 11, 6, 0, 0, 0, TimeSpan.Zero));
        await scene.PlanAsync("pro", "30", Month);
        var (customer, _) = await scene.SubscriberAsync("pro", credit: "100", trialDays: 5);

        var during = (await LedgerAsync(scene, customer)).Count(e => e.Kind == "subscription_fee");
        scene.Time.SetUtcNow(new DateTimeOffset(2026, 11, 11, 0, 0, 0, TimeSpan.Zero));
        await scene.RenewAsync();
        var fees = (await LedgerAsync(scene, customer)).Where(e => e.Kind == "subscription_fee").Select(e => e.Amount);

        Assert.Equal(0, during);
        Assert.Equal([-20m], fees);
    }

    private static async Task WaitAsync(SubscriptionScene scene, string runId)
    {
        for (var i = 0; i < 500; i++)
        {
            var run = await scene.Admin.GetJsonAsync($"/admin/v1/invoice-runs/{runId}");
            if (run["status"]!.GetValue<string>() != "running") return;
            await Task.Delay(20);
        }
    }
}
