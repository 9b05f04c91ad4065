using System.Net;
using Tollgate.Billing.Pricing;
using Tollgate.Tests.Admin;
using static Tollgate.Tests.Invoicing.InvoiceScene;

namespace Tollgate.Tests.Invoicing;

/// <summary>Rounding entries under voids and reissues, and reconcile finding a rounding entry that is missing.</summary>
public sealed class RoundingEdgeTests
{
    private static readonly DateTimeOffset October = new(2026, 10, 10, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Void_PrepaidInvoiceVoidedAndReissued_RoundingCreditedToTheWalletOnce()
    {
        // 2,500 input × $2/M = $0.005 (→ 0.01) and 146,874 output × $8/M = $1.174992 (→ 1.17): the wallet paid $1.179992,
        // the invoice shows $1.17 paid, and the wallet is credited the $0.009992 it paid beyond whole cents: once.
        // Voided and reissued, the ledger still sums to 1.179992 − 1.179992 + 0.009992 = $0.009992.
        await using var scene = await PrepaidOctoberAsync();
        var customer = scene.Customer;
        var invoice = await scene.Scene.InvoiceAsync(customer, "2026-10");
        await scene.Scene.Admin.PostJsonAsync($"/admin/v1/invoices/{invoice.Id()}/void", """{"reason":"reissue"}""", HttpStatusCode.OK);
        await scene.Scene.RunAsync("2026-10", finalize: true);
        var reissued = await scene.Scene.InvoiceAsync(customer, "2026-10");
        var ledger = (await scene.Scene.Admin.GetJsonAsync($"/admin/v1/customers/{customer}/ledger?limit=100")).Data();
        var reconcile = await scene.Scene.Admin.GetJsonAsync("/admin/v1/reconcile?period=2026-10");

        Assert.Equal(-1.17m, Amount(reissued["lines"]!.AsArray().Single(l => Text(l, "kind") == "prepaid_applied"), "rounded_amount"));
        Assert.Equal(0.009992m, ledger.Sum(e => Amount(e, "amount")));
        Assert.Equal(0.009992m, ledger.Where(e => Text(e, "kind") == "rounding").Sum(e => Amount(e, "amount")));
        Assert.True(reconcile["agrees"]!.GetValue<bool>(), reconcile.ToJsonString());
    }

    [Fact]
    public async Task Reconcile_RoundingEntryDeletedBehindTheBooks_Disagrees()
    {
        // Postpaid: $0.005 → 0.01 and $1.175 → 1.18; invoice $1.19, ledger −1.18 + rounding −0.01. Without the entry the
        // ledger is $0.01 short of the invoice, which reconcile must report.
        await using var scene = await StartAsync(October);
        var (customer, _) = await scene.CustomerAsync();
        await scene.RecordUsageAsync(customer, October.AddHours(1), new TokenUsage(2_500, 0, 146_875));
        scene.Time.SetUtcNow(NovemberFirst);
        await scene.RunAsync("2026-10", finalize: true);
        var before = await scene.Admin.GetJsonAsync("/admin/v1/reconcile?period=2026-10");

        var deleted = await scene.ExecuteAsync("DELETE FROM ledger_entries WHERE reference LIKE 'rounding:%'");
        var after = await scene.Admin.GetJsonAsync("/admin/v1/reconcile?period=2026-10");

        Assert.True(before["agrees"]!.GetValue<bool>(), before.ToJsonString());
        Assert.Equal(1, deleted);
        Assert.False(after["agrees"]!.GetValue<bool>(), after.ToJsonString());
    }

    [Fact]
    public async Task Reconcile_PrepaidRoundingCreditDeleted_Disagrees()
    {
        // Prepaid as above: without the +$0.009992 credit the ledger sums to grant 1.179992 − usage 1.179992 = $0,
        // and the invoice says $0.009992 came back to the wallet: reconcile must see the books no longer match the invoice.
        await using var scene = await PrepaidOctoberAsync();

        var deleted = await scene.Scene.ExecuteAsync("DELETE FROM ledger_entries WHERE reference LIKE 'rounding:%'");
        var after = await scene.Scene.Admin.GetJsonAsync("/admin/v1/reconcile?period=2026-10");

        Assert.Equal(1, deleted);
        Assert.False(after["agrees"]!.GetValue<bool>(), after.ToJsonString());
    }

    private sealed record Prepaid(InvoiceScene Scene, string Customer) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => Scene.DisposeAsync();
    }

    /// <summary>A prepaid customer granted $1.179992 who spent all of it in October, with October finalized.</summary>
    private static async Task<Prepaid> PrepaidOctoberAsync()
    {
        var scene = await StartAsync(October);
        var (customer, _) = await scene.CustomerAsync("prepaid");
        await scene.GrantAsync(customer, "1.179992");
        await scene.RecordUsageAsync(customer, October.AddHours(1), new TokenUsage(2_500, 0, 146_874));
        scene.Time.SetUtcNow(NovemberFirst);
        await scene.RunAsync("2026-10", finalize: true);
        return new Prepaid(scene, customer);
    }
}
