using System.Text.Json.Nodes;
using Tollgate.Billing.Pricing;
using Tollgate.Tests.Admin;
using Tollgate.Tests.Invoicing;
using static Tollgate.Tests.Invoicing.InvoiceScene;

namespace Tollgate.Tests.Contracts;

/// <summary>
/// Hand-computed commitment true-ups on finalized invoices, at the invoice scene's rates ($2 input,
/// $8 output per million tokens); the arithmetic is in the comments.
/// </summary>
public sealed class TrueUpGoldenTests
{
    private static readonly DateTimeOffset October = new(2026, 10, 5, 12, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset OctoberFirst = new(2026, 10, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Finalize_CommitmentMissed_BillsTheShortfallAndReconciles()
    {
        await using var scene = await StartAsync(October);
        var (customer, key) = await scene.CustomerAsync();
        await ContractAsync(scene, customer, OctoberFirst, commitment: "10");
        // 1,000,000 input × $2/M = $2.00 + 125,000 output × $8/M = $1.00 → $3.00 of usage.
        await scene.ChatAsync(key, input: 1_000_000, output: 125_000);

        scene.Time.SetUtcNow(new DateTimeOffset(2026, 10, 20, 0, 0, 0, TimeSpan.Zero));
        await scene.RunAsync("2026-10", finalize: false);
        // A draft shows the shortfall so far as a projected true-up: 10 − 3 = 7.
        Assert.Equal([("usage", "input", 2.00m), ("usage", "output", 1.00m), ("true_up", null, 7m)], Lines(await scene.InvoiceAsync(customer, "2026-10")));

        scene.Time.SetUtcNow(NovemberFirst);
        await scene.RunAsync("2026-10", finalize: true);
        var invoice = await scene.InvoiceAsync(customer, "2026-10");

        Assert.Equal([("usage", "input", 2.00m), ("usage", "output", 1.00m), ("true_up", null, 7.00m)], Lines(invoice));
        Assert.Equal(10.00m, Amount(invoice, "total"));
        var ledger = (await scene.Admin.GetJsonAsync($"/admin/v1/customers/{customer}/ledger")).Data();
        Assert.Equal(-7m, Amount(ledger.Single(e => Text(e, "kind") == "true_up"), "amount"));
        await AssertReconcilesAsync(scene, "2026-10");

        // Running the period again bills nothing twice.
        await scene.RunAsync("2026-10", finalize: true);
        Assert.Single((await scene.Admin.GetJsonAsync($"/admin/v1/customers/{customer}/ledger")).Data(), e => Text(e, "kind") == "true_up");
    }

    [Fact]
    public async Task Finalize_CommitmentMet_NoTrueUpLine()
    {
        await using var scene = await StartAsync(October);
        var (customer, key) = await scene.CustomerAsync();
        await ContractAsync(scene, customer, OctoberFirst, commitment: "10");
        // 5,000,000 × $2/M = $10.00 + 250,000 × $8/M = $2.00 → $12.00, above the $10 commitment.
        await scene.ChatAsync(key, input: 5_000_000, output: 250_000);

        scene.Time.SetUtcNow(NovemberFirst);
        await scene.RunAsync("2026-10", finalize: true);
        var invoice = await scene.InvoiceAsync(customer, "2026-10");

        Assert.Equal([("usage", "input", 10.00m), ("usage", "output", 2.00m)], Lines(invoice));
        Assert.Equal(12.00m, Amount(invoice, "total"));
        await AssertReconcilesAsync(scene, "2026-10");
    }

    [Fact]
    public async Task Finalize_FirstAndLastMonthsProratedBySeconds_TrueUpsExact()
    {
        await using var scene = await StartAsync(new DateTimeOffset(2026, 10, 11, 0, 0, 0, TimeSpan.Zero));
        var (customer, _) = await scene.CustomerAsync();
        var contract = await ContractAsync(scene, customer, new DateTimeOffset(2026, 10, 11, 0, 0, 0, TimeSpan.Zero), commitment: "31");

        // October: in force 21 of its 31 days → 31 × 21/31 = $21.00, nothing used.
        scene.Time.SetUtcNow(NovemberFirst);
        await scene.RunAsync("2026-10", finalize: true);
        Assert.Equal([("true_up", null, 21.00m)], Lines(await scene.InvoiceAsync(customer, "2026-10")));

        // Cancelled at the start of 16 November: in force 15 of its 30 days → 31 × 15/30 = $15.50.
        scene.Time.SetUtcNow(new DateTimeOffset(2026, 11, 16, 0, 0, 0, TimeSpan.Zero));
        await scene.Admin.PostJsonAsync($"/admin/v1/contracts/{contract.Id()}/cancel", "{}", System.Net.HttpStatusCode.OK);
        scene.Time.SetUtcNow(DecemberFirst);
        await scene.RunAsync("2026-11", finalize: true);
        Assert.Equal([("true_up", null, 15.50m)], Lines(await scene.InvoiceAsync(customer, "2026-11")));

        // December: no contract in force, no commitment.
        scene.Time.SetUtcNow(new DateTimeOffset(2027, 1, 1, 0, 0, 5, TimeSpan.Zero));
        await scene.RunAsync("2026-12", finalize: true);
        Assert.Empty(Lines(await scene.InvoiceAsync(customer, "2026-12")));
    }

    [Fact]
    public async Task Finalize_WithDiscount_UsageAfterDiscountCountsTowardTheCommitment()
    {
        await using var scene = await StartAsync(October);
        var (customer, key) = await scene.CustomerAsync();
        await ContractAsync(scene, customer, OctoberFirst, commitment: "10", discount: "20");
        // List: 1,000,000 × $2/M = $2.00 + 250,000 × $8/M = $2.00 → $4.00; 20% off → $3.20 charged.
        await scene.ChatAsync(key, input: 1_000_000, output: 250_000);

        scene.Time.SetUtcNow(NovemberFirst);
        await scene.RunAsync("2026-10", finalize: true);
        var invoice = await scene.InvoiceAsync(customer, "2026-10");

        // Usage at list, the discount as the difference (−$0.80), and the shortfall 10 − 3.20 = $6.80.
        Assert.Equal([("usage", "input", 2.00m), ("usage", "output", 2.00m), ("usage_not_charged", null, -0.80m), ("true_up", null, 6.80m)], Lines(invoice));
        Assert.Equal(10.00m, Amount(invoice, "total"));
        await AssertReconcilesAsync(scene, "2026-10");
    }

    private static Task<JsonObject> ContractAsync(InvoiceScene scene, string customer, DateTimeOffset starts, string commitment, string discount = "0") =>
        scene.Admin.PostJsonAsync("/admin/v1/contracts", $$"""
            {"customer_id":"{{customer}}","starts_at":"{{starts:O}}","ends_at":"{{starts.AddYears(1):O}}","monthly_commitment":"{{commitment}}",
             "discount_percent":"{{discount}}"}
            """);

    [Fact]
    public async Task Finalize_LateUsageOfAMonthThatMetItsCommitment_BilledAndNotCountedTowardTheNext()
    {
        // October meets its $3 commitment on time ($3.00 of usage). $1.00 of October usage arrives after
        // October is finalized. November has $1.50 of its own usage against a $3 commitment.
        await using var scene = await StartAsync(October);
        var (customer, key) = await scene.CustomerAsync();
        await ContractAsync(scene, customer, OctoberFirst, commitment: "3");
        await scene.ChatAsync(key, input: 1_000_000, output: 125_000);
        scene.Time.SetUtcNow(NovemberFirst);
        await scene.RunAsync("2026-10", finalize: true);
        await scene.RecordUsageAsync(customer, new DateTimeOffset(2026, 10, 31, 23, 59, 0, TimeSpan.Zero), new TokenUsage(250_000, 0, 62_500));
        scene.Time.SetUtcNow(new DateTimeOffset(2026, 11, 10, 0, 0, 0, TimeSpan.Zero));
        await scene.ChatAsync(key, input: 500_000, output: 62_500);
        scene.Time.SetUtcNow(DecemberFirst);

        await scene.RunAsync("2026-11", finalize: true);
        var november = await scene.InvoiceAsync(customer, "2026-11");

        // Late October usage counts toward October (already met), so November's shortfall is 3 − 1.50 = 1.50,
        // and the late $1.00 is billed on top: 1.00 + 1.50 + 1.50 = 4.00 (before: 3 − 2.50 = 0.50 → 3.00, the late usage free).
        Assert.Equal(1.50m, Amount(november["lines"]!.AsArray().Single(l => Text(l, "kind") == "true_up"), "rounded_amount"));
        Assert.Equal(4.00m, Amount(november, "total"));
        await AssertReconcilesAsync(scene, "2026-11");
    }

    [Fact]
    public async Task Finalize_LateUsageOfAMonthWithABilledShortfall_CreditedBackAgainstThatShortfall()
    {
        // October: $3.00 used against $10 → true-up $7.00. Then $1.00 of October usage arrives late:
        // October's commitment had paid for it, so November bills it and credits $1.00 of October's true-up back.
        await using var scene = await StartAsync(October);
        var (customer, key) = await scene.CustomerAsync();
        await ContractAsync(scene, customer, OctoberFirst, commitment: "10");
        await scene.ChatAsync(key, input: 1_000_000, output: 125_000);
        scene.Time.SetUtcNow(NovemberFirst);
        await scene.RunAsync("2026-10", finalize: true);
        await scene.RecordUsageAsync(customer, new DateTimeOffset(2026, 10, 31, 23, 59, 0, TimeSpan.Zero), new TokenUsage(250_000, 0, 62_500));
        scene.Time.SetUtcNow(new DateTimeOffset(2026, 11, 10, 0, 0, 0, TimeSpan.Zero));
        // November: $10.00 of its own usage meets its own commitment.
        await scene.ChatAsync(key, input: 3_000_000, output: 500_000);
        scene.Time.SetUtcNow(DecemberFirst);

        await scene.RunAsync("2026-11", finalize: true);
        var november = await scene.InvoiceAsync(customer, "2026-11");

        var trueUps = november["lines"]!.AsArray().Where(l => Text(l, "kind") == "true_up").Select(l => Amount(l, "rounded_amount")).ToList();
        Assert.Equal([-1.00m], trueUps);
        // October cost max($10, $4) = $10 in all; November max($10, $10) = $10: 1.00 late − 1.00 credit + 10.00.
        Assert.Equal(10.00m, Amount(november, "total"));
        await AssertReconcilesAsync(scene, "2026-11");
    }

    [Fact]
    public async Task Finalize_ShortfallWithHalfCentLines_MonthTotalsTheCommitmentExactly()
    {
        // 2,500 input × $2/M = $0.005 (→ 0.01) and 79,998,750 output × $8/M = $639.99: usage $639.995, true-up $360.005.
        // Rounded one by one the month would be 0.01 + 639.99 + 360.01 = $1,000.01; the true-up line takes $360.00 instead.
        await using var scene = await StartAsync(October);
        var (customer, _) = await scene.CustomerAsync();
        await ContractAsync(scene, customer, OctoberFirst, commitment: "1000");
        await scene.RecordUsageAsync(customer, new DateTimeOffset(2026, 10, 6, 0, 0, 0, TimeSpan.Zero), new TokenUsage(2_500, 0, 79_998_750));
        scene.Time.SetUtcNow(NovemberFirst);

        await scene.RunAsync("2026-10", finalize: true);
        var invoice = await scene.InvoiceAsync(customer, "2026-10");
        var ledger = (await scene.Admin.GetJsonAsync($"/admin/v1/customers/{customer}/ledger?limit=100")).Data();

        Assert.Equal([("usage", "input", 0.01m), ("usage", "output", 639.99m), ("true_up", null, 360.00m)], Lines(invoice));
        Assert.Equal(1000.00m, Amount(invoice, "total"));
        Assert.Equal(-1000m, ledger.Sum(e => Amount(e, "amount")));
        await AssertReconcilesAsync(scene, "2026-10");
    }

    private static async Task AssertReconcilesAsync(InvoiceScene scene, string period)
    {
        var report = await scene.Admin.GetJsonAsync($"/admin/v1/reconcile?period={period}");
        Assert.True(report["agrees"]!.GetValue<bool>(), report.ToJsonString());
    }
}
