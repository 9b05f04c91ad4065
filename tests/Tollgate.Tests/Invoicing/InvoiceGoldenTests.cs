using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Tollgate.Billing.Pricing;
using Tollgate.Budgets;
using Tollgate.Tests.Admin;
using static Tollgate.Tests.Invoicing.InvoiceScene;

namespace Tollgate.Tests.Invoicing;

/// <summary>
/// Hand-computed invoices over whole months: the arithmetic is in the comments, the rates are the
/// scene's ($2 input, $0.50 cached input, $8 output per million tokens) unless a test says otherwise.
/// </summary>
public sealed class InvoiceGoldenTests
{
    private static readonly DateTimeOffset October = new(2026, 10, 5, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Prepaid_GrantsPromotionalFirstThenOldestAndOneExpires_InvoiceShowsUsagePaidFromBalance()
    {
        await using var scene = await StartAsync(October);
        var (customer, key) = await scene.CustomerAsync("prepaid");
        await scene.GrantAsync(customer, "5");
        scene.Time.Advance(TimeSpan.FromMinutes(1));
        await scene.GrantAsync(customer, "3");
        scene.Time.Advance(TimeSpan.FromMinutes(1));
        await scene.GrantAsync(customer, "2", "promotional", new DateTimeOffset(2026, 10, 20, 0, 0, 0, TimeSpan.Zero));

        // Request 1: 200,000 input × $2/M = $0.40 + 100,000 output × $8/M = $0.80 → $1.20, taken from the promotional grant first: 2 − 1.20 = 0.80 left.
        await scene.ChatAsync(key, input: 200_000, output: 100_000);
        // 20 October: the promotional grant's $0.80 expires.
        scene.Time.SetUtcNow(new DateTimeOffset(2026, 10, 21, 9, 0, 0, TimeSpan.Zero));
        await scene.App.Services.GetRequiredService<GrantExpiryService>().ExpireDueAsync(CancellationToken.None);
        // Request 2: another $1.20, from the oldest purchased grant: 5 − 1.20 = 3.80; the $3 grant is untouched.
        await scene.ChatAsync(key, input: 200_000, output: 100_000);
        var wallet = await scene.WalletAsync(customer);

        // Balance: 5 + 3 + 2 − 1.20 − 0.80 (expired) − 1.20 = 6.80.
        Assert.Equal(6.80m, Amount(wallet, "balance"));
        var grants = wallet["grants"]!.AsArray();
        var promotional = grants.Single(g => Text(g, "kind") == "promotional");
        Assert.True(promotional!["expired"]!.GetValue<bool>());
        Assert.Equal(0m, Amount(promotional, "remaining"));
        Assert.Equal(3.80m, Amount(grants.Single(g => Amount(g, "amount") == 5m), "remaining"));
        Assert.Equal(3m, Amount(grants.Single(g => Amount(g, "amount") == 3m), "remaining"));
        var ledger = (await scene.Admin.GetJsonAsync($"/admin/v1/customers/{customer}/ledger")).Data();
        Assert.Equal(["grant", "grant", "grant", "usage", "expiry", "usage"], ledger.Select(e => Text(e, "kind")));
        Assert.Equal(6.80m, ledger.Sum(e => Amount(e, "amount")));

        scene.Time.SetUtcNow(NovemberFirst);
        await scene.RunAsync("2026-10", finalize: true);
        var invoice = await scene.InvoiceAsync(customer, "2026-10");

        // Usage: 400,000 input × $2/M = $0.80; 200,000 output × $8/M = $1.60; both already paid from the wallet (−$2.40).
        // Grants and the expiry move only the wallet, so they are not billed; nothing is due.
        Assert.Equal([("usage", "input", 0.80m), ("usage", "output", 1.60m), ("prepaid_applied", null, -2.40m)], Lines(invoice));
        Assert.Equal(0m, Amount(invoice, "total"));
        Assert.Equal("paid", Text(invoice, "status"));
    }

    [Fact]
    public async Task Postpaid_PartialThenFullPayment_PaidAndCreditLimitFreedStepByStep()
    {
        await using var scene = await StartAsync(October);
        var (customer, key) = await scene.CustomerAsync("postpaid", creditLimit: "50");
        // 1,000,000 input × $2/M = $2.00 + 500,000 output × $8/M = $4.00 → $6.00.
        await scene.ChatAsync(key, input: 1_000_000, output: 500_000);
        scene.Time.SetUtcNow(NovemberFirst);
        await scene.RunAsync("2026-10", finalize: true);
        var invoice = await scene.InvoiceAsync(customer, "2026-10");
        // Credit limit 50 − 6.00 owed = 44 available.
        var before = await scene.WalletAsync(customer);

        var partial = await scene.PayAsync(invoice, "2.50", "wire-1");
        // 44 + 2.50 = 46.50; 6.00 − 2.50 = 3.50 still due.
        var afterPartial = await scene.WalletAsync(customer);
        var full = await scene.PayAsync(invoice, "3.50", "wire-2");
        var afterFull = await scene.WalletAsync(customer);

        Assert.Equal(6.00m, Amount(invoice, "total"));
        Assert.Equal(44m, Amount(before, "available"));
        Assert.Equal("finalized", Text(partial, "status"));
        Assert.Equal(3.50m, Amount(partial, "amount_due"));
        Assert.Equal(46.50m, Amount(afterPartial, "available"));
        Assert.Equal("paid", Text(full, "status"));
        Assert.Equal(0m, Amount(full, "amount_due"));
        Assert.Equal(6.00m, Amount(full, "amount_paid"));
        Assert.Equal(50m, Amount(afterFull, "available"));
        Assert.Equal(["wire-1", "wire-2"], full["payments"]!.AsArray().Select(p => Text(p, "reference")));
    }

    [Fact]
    public async Task PriceChangeMidPeriod_TwoPriceVersions_SeparateLinesAtEachRate()
    {
        await using var scene = await StartAsync(October);
        var (customer, key) = await scene.CustomerAsync();
        // At the first price: 1,000,000 input × $2/M = $2.00; 100,000 output × $8/M = $0.80.
        await scene.ChatAsync(key, input: 1_000_000, output: 100_000);
        scene.Time.SetUtcNow(new DateTimeOffset(2026, 10, 15, 0, 0, 0, TimeSpan.Zero));
        await scene.PriceAsync(input: "3", cachedInput: "0.75", output: "12");
        scene.Time.Advance(TimeSpan.FromMinutes(1));
        // At the new price: 500,000 input × $3/M = $1.50; 100,000 output × $12/M = $1.20.
        await scene.ChatAsync(key, input: 500_000, output: 100_000);

        scene.Time.SetUtcNow(NovemberFirst);
        await scene.RunAsync("2026-10", finalize: true);
        var invoice = await scene.InvoiceAsync(customer, "2026-10");

        var lines = invoice["lines"]!.AsArray();
        Assert.Equal([("usage", "input", 2.00m), ("usage", "output", 0.80m), ("usage", "input", 1.50m), ("usage", "output", 1.20m)], Lines(invoice));
        Assert.Equal([2m, 8m, 3m, 12m], lines.Select(l => Amount(l, "unit_price")));
        var versions = lines.Select(l => l!["price_version"]!.GetValue<long>()).ToArray();
        Assert.Equal(versions[0], versions[1]);
        Assert.Equal(versions[2], versions[3]);
        Assert.True(versions[2] > versions[0]);
        Assert.Contains($"(price v{versions[2]})", Text(lines[2], "description"));
        // 2.00 + 0.80 + 1.50 + 1.20 = 5.50.
        Assert.Equal(5.50m, Amount(invoice, "total"));
    }

    [Fact]
    public async Task LateUsageAfterFinalization_BilledOnNextMonthAsLateUsage_FinalizedInvoiceUnchanged()
    {
        await using var scene = await StartAsync(October);
        var (customer, key) = await scene.CustomerAsync();
        // October: 1,000,000 input × $2/M = $2.00 + 125,000 output × $8/M = $1.00 → $3.00.
        await scene.ChatAsync(key, input: 1_000_000, output: 125_000);
        scene.Time.SetUtcNow(NovemberFirst);
        await scene.RunAsync("2026-10", finalize: true);
        var october = await scene.InvoiceAsync(customer, "2026-10");

        // A request completed at 23:59 on 31 October reaches the database only now:
        // 250,000 input × $2/M = $0.50 + 62,500 output × $8/M = $0.50 → $1.00.
        var late = await scene.RecordUsageAsync(customer, new DateTimeOffset(2026, 10, 31, 23, 59, 0, TimeSpan.Zero), new TokenUsage(250_000, 0, 62_500));
        // November's own usage: 500,000 input × $2/M = $1.00 + 62,500 output × $8/M = $0.50 → $1.50.
        scene.Time.SetUtcNow(new DateTimeOffset(2026, 11, 10, 0, 0, 0, TimeSpan.Zero));
        await scene.ChatAsync(key, input: 500_000, output: 62_500);
        scene.Time.SetUtcNow(DecemberFirst);
        await scene.RunAsync("2026-11", finalize: true);
        var november = await scene.InvoiceAsync(customer, "2026-11");
        var octoberAgain = await scene.Admin.GetJsonAsync($"/admin/v1/invoices/{october.Id()}");
        var reconcile = await scene.Admin.GetJsonAsync("/admin/v1/reconcile?period=2026-10&all=true");

        Assert.Equal(1.00m, late);
        Assert.Equal(3.00m, Amount(octoberAgain, "total"));
        Assert.Equal(october["lines"]!.ToJsonString(), octoberAgain["lines"]!.ToJsonString());
        // Late lines come first, each naming the month the usage happened in; 0.50 + 0.50 + 1.00 + 0.50 = 2.50.
        Assert.Equal([("usage", "input", 0.50m), ("usage", "output", 0.50m), ("usage", "input", 1.00m), ("usage", "output", 0.50m)], Lines(november));
        var lines = november["lines"]!.AsArray();
        Assert.All(lines.Take(2), l => Assert.StartsWith("Late usage from 2026-10: ", Text(l, "description")));
        Assert.All(lines.Take(2), l => Assert.Equal("2026-10", Text(l, "usage_period")));
        Assert.All(lines.Skip(2), l => Assert.DoesNotContain("Late", Text(l, "description")));
        Assert.Equal(2.50m, Amount(november, "total"));
        // October's usage, $4.00 in all, is billed exactly once across the two invoices.
        Assert.True(reconcile["agrees"]!.GetValue<bool>());
        var row = Assert.Single(reconcile["data"]!.AsArray());
        Assert.Equal(4.00m, Amount(row, "usage_events"));
        Assert.Equal(4.00m, Amount(row, "invoiced"));
    }

    [Fact]
    public async Task VoidAndReissue_CreditNoteNumbered_ReissueCarriesTheAdjustment()
    {
        await using var scene = await StartAsync(October);
        var (customer, key) = await scene.CustomerAsync();
        // 1,000,000 input × $2/M = $2.00 + 250,000 output × $8/M = $2.00 → $4.00.
        await scene.ChatAsync(key, input: 1_000_000, output: 250_000);
        scene.Time.SetUtcNow(NovemberFirst);
        await scene.RunAsync("2026-10", finalize: true);
        var first = await scene.InvoiceAsync(customer, "2026-10");

        scene.Time.Advance(TimeSpan.FromHours(2));
        var voided = await scene.Admin.SendAsync(HttpMethod.Post, $"/admin/v1/invoices/{first.Id()}/void", """{"reason":"rate agreed was lower"}""");
        // The agreed correction: $0.75 credited (a positive adjustment credits the customer).
        var adjustment = await scene.LedgerEntryAsync(customer, "adjustment", "0.75", "October rate correction");
        scene.Time.Advance(TimeSpan.FromMinutes(5));
        await scene.RunAsync("2026-10", finalize: true);
        var reissued = await scene.InvoiceAsync(customer, "2026-10");
        var all = (await scene.Admin.GetJsonAsync($"/admin/v1/invoices?customer_id={customer}")).Data();

        Assert.Equal("TG-2026-000001", Text(first, "number"));
        Assert.Equal("void", Text(voided, "status"));
        Assert.Equal("TG-CN-2026-000001", Text(voided, "credit_note_number"));
        Assert.Equal("rate agreed was lower", Text(voided, "void_reason"));
        Assert.NotEqual(first.Id(), reissued.Id());
        Assert.Equal("TG-2026-000002", Text(reissued, "number"));
        // 2.00 + 2.00 − 0.75 = 3.25.
        Assert.Equal([("usage", "input", 2.00m), ("usage", "output", 2.00m), ("adjustment", null, -0.75m)], Lines(reissued));
        Assert.Equal(adjustment["id"]!.GetValue<long>(), reissued["lines"]![2]!["ledger_entry_id"]!.GetValue<long>());
        Assert.Equal(3.25m, Amount(reissued, "total"));
        Assert.Equal(["finalized", "void"], all.Select(i => Text(i, "status")).Order());
        // The voided invoice is kept as it was, and cannot be voided twice.
        Assert.Equal(4.00m, Amount(voided, "total"));
        using var again = await scene.Admin.RawAsync(HttpMethod.Post, $"/admin/v1/invoices/{first.Id()}/void", """{"reason":"twice"}""");
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
    }
}
