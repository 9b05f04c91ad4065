using Tollgate.Billing.Pricing;
using Tollgate.Tests.Admin;
using static Tollgate.Tests.Invoicing.InvoiceScene;

namespace Tollgate.Tests.Invoicing;

/// <summary>Finalizing books the rounding, so per customer and period the ledger equals the invoice to the cent.</summary>
public sealed class InvoiceRoundingGoldenTests
{
    private static readonly DateTimeOffset October = new(2026, 10, 10, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Finalize_PostpaidLinesRoundUp_RoundingEntryMakesTheLedgerEqualTheInvoice()
    {
        // 2,500 input × $2/M = $0.005 (→ 0.01) and 146,875 output × $8/M = $1.175 (→ 1.18): the ledger holds $1.18,
        // the invoice asks $1.19, and a rounding entry of −$0.01 books the difference.
        await using var scene = await StartAsync(October);
        var (customer, _) = await scene.CustomerAsync();
        await scene.RecordUsageAsync(customer, October.AddHours(1), new TokenUsage(2_500, 0, 146_875));
        scene.Time.SetUtcNow(NovemberFirst);

        await scene.RunAsync("2026-10", finalize: true);
        var invoice = await scene.InvoiceAsync(customer, "2026-10");
        var ledger = (await scene.Admin.GetJsonAsync($"/admin/v1/customers/{customer}/ledger?limit=100")).Data();
        var reconcile = await scene.Admin.GetJsonAsync("/admin/v1/reconcile?period=2026-10");

        Assert.Equal(1.19m, Amount(invoice, "total"));
        Assert.Equal(-0.01m, Amount(ledger.Single(e => Text(e, "kind") == "rounding"), "amount"));
        Assert.Equal(-1.19m, ledger.Sum(e => Amount(e, "amount")));
        Assert.True(reconcile["agrees"]!.GetValue<bool>(), reconcile.ToJsonString());
        Assert.Equal(1, reconcile["invoices_checked"]!.GetValue<int>());
    }

    [Fact]
    public async Task Finalize_PrepaidLinesRoundUpPastWhatTheWalletPaid_RoundedInTheCustomersFavourAndNeverBelowZero()
    {
        // 2,500 input → $0.005 (→ 0.01) and 146,874 output → $1.174992 (→ 1.17): the wallet paid $1.179992, the lines
        // show $1.18. The invoice rounds down to $1.17 with a −$0.01 line, and the wallet is credited $0.009992.
        await using var scene = await StartAsync(October);
        var (customer, _) = await scene.CustomerAsync("prepaid");
        await scene.GrantAsync(customer, "1.179992");
        await scene.RecordUsageAsync(customer, October.AddHours(1), new TokenUsage(2_500, 0, 146_874));
        scene.Time.SetUtcNow(NovemberFirst);

        await scene.RunAsync("2026-10", finalize: true);
        var invoice = await scene.InvoiceAsync(customer, "2026-10");
        var ledger = (await scene.Admin.GetJsonAsync($"/admin/v1/customers/{customer}/ledger?limit=100")).Data();
        var reconcile = await scene.Admin.GetJsonAsync("/admin/v1/reconcile?period=2026-10");

        var lines = invoice["lines"]!.AsArray();
        Assert.Equal(-0.01m, Amount(lines.Single(l => Text(l, "kind") == "rounding"), "rounded_amount"));
        Assert.Equal(-1.17m, Amount(lines.Single(l => Text(l, "kind") == "prepaid_applied"), "rounded_amount"));
        Assert.Equal(0.009992m, Amount(ledger.Single(e => Text(e, "kind") == "rounding"), "amount"));
        Assert.Equal(0.009992m, ledger.Sum(e => Amount(e, "amount")));
        Assert.True(reconcile["agrees"]!.GetValue<bool>(), reconcile.ToJsonString());
    }

    [Fact]
    public async Task Void_PostpaidInvoice_RoundingReversedAndTheReissueBooksItsOwn()
    {
        await using var scene = await StartAsync(October);
        var (customer, _) = await scene.CustomerAsync();
        await scene.RecordUsageAsync(customer, October.AddHours(1), new TokenUsage(2_500, 0, 146_875));
        scene.Time.SetUtcNow(NovemberFirst);
        await scene.RunAsync("2026-10", finalize: true);
        var first = await scene.InvoiceAsync(customer, "2026-10");

        await scene.Admin.PostJsonAsync($"/admin/v1/invoices/{first.Id()}/void", """{"reason":"reissue"}""", System.Net.HttpStatusCode.OK);
        await scene.RunAsync("2026-10", finalize: true);
        var ledger = (await scene.Admin.GetJsonAsync($"/admin/v1/customers/{customer}/ledger?limit=100")).Data();
        var reconcile = await scene.Admin.GetJsonAsync("/admin/v1/reconcile?period=2026-10");

        Assert.Equal([-0.01m, 0.01m, -0.01m], ledger.Where(e => Text(e, "kind") == "rounding").Select(e => Amount(e, "amount")));
        Assert.Equal(-1.19m, ledger.Sum(e => Amount(e, "amount")));
        Assert.True(reconcile["agrees"]!.GetValue<bool>(), reconcile.ToJsonString());
    }
}
