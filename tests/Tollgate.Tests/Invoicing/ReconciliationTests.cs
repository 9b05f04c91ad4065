using Tollgate.Tests.Admin;
using static Tollgate.Tests.Invoicing.InvoiceScene;

namespace Tollgate.Tests.Invoicing;

/// <summary>Usage events, ledger usage entries, rollups and invoice usage lines, compared per customer and month.</summary>
public sealed class ReconciliationTests
{
    private static readonly DateTimeOffset October = new(2026, 10, 1, 8, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Reconcile_MonthOfTrafficAndInvoices_Agrees()
    {
        await using var scene = await StartAsync(October);
        var (alpha, alphaKey) = await scene.CustomerAsync();
        var (beta, betaKey) = await scene.CustomerAsync("prepaid");
        await scene.GrantAsync(beta, "100");
        decimal expectedAlpha = 0;
        // A request a day for each customer through October, sizes varying by the day:
        //   alpha day d: 1,000·d input × $2/M + 300·d output × $8/M = $0.0044·d; beta: 300 output fewer, $0.002·d.
        for (var day = 1; day <= 31; day++)
        {
            scene.Time.SetUtcNow(new DateTimeOffset(2026, 10, day, 12, 0, 0, TimeSpan.Zero));
            await scene.ChatAsync(alphaKey, input: 1_000 * day, output: 300 * day);
            await scene.ChatAsync(betaKey, input: 1_000 * day, output: 1);
            expectedAlpha += 0.0044m * day;
        }
        scene.Time.SetUtcNow(NovemberFirst);
        await scene.RunAsync("2026-10", finalize: true);
        // November has started, its usage not invoiced yet: pending, still in agreement.
        await scene.ChatAsync(alphaKey, input: 5_000, output: 500);

        var october = await scene.Admin.GetJsonAsync("/admin/v1/reconcile?period=2026-10&all=true");
        var everything = await scene.Admin.GetJsonAsync("/admin/v1/reconcile?all=true");

        Assert.True(october["agrees"]!.GetValue<bool>());
        Assert.Empty(october["differences"]!.AsArray());
        var rows = october["data"]!.AsArray();
        Assert.Equal(new[] { alpha, beta }.Order(), rows.Select(r => Text(r, "customer_id")).Order());
        // Σ 0.0044·d for d = 1..31 = 0.0044 × 496 = 2.1824.
        var alphaRow = rows.Single(r => Text(r, "customer_id") == alpha);
        Assert.Equal(2.1824m, expectedAlpha);
        foreach (var field in (string[])["usage_events", "ledger_usage", "rollups", "invoiced"]) Assert.Equal(expectedAlpha, Amount(alphaRow, field));
        Assert.Equal(0m, Amount(alphaRow, "pending"));
        Assert.True(everything["agrees"]!.GetValue<bool>());
        var novemberRow = everything["data"]!.AsArray().Single(r => Text(r, "period") == "2026-11");
        // 5,000 × $2/M + 500 × $8/M = $0.014, not yet on any finalized invoice.
        Assert.Equal(0.014m, Amount(novemberRow, "pending"));
        Assert.Equal(0m, Amount(novemberRow, "invoiced"));
    }

    [Fact]
    public async Task Reconcile_LedgerEntryTamperedInDatabase_DisagreesNamingTheRow()
    {
        await using var scene = await StartAsync(October);
        var (alpha, alphaKey) = await scene.CustomerAsync();
        var (beta, betaKey) = await scene.CustomerAsync();
        // Each: 100,000 input × $2/M = $0.20 + 10,000 output × $8/M = $0.08 → $0.28, twice → $0.56.
        for (var i = 0; i < 2; i++)
        {
            await scene.ChatAsync(alphaKey, input: 100_000, output: 10_000);
            await scene.ChatAsync(betaKey, input: 100_000, output: 10_000);
        }
        scene.Time.SetUtcNow(NovemberFirst);
        await scene.RunAsync("2026-10", finalize: true);
        var before = await scene.Admin.GetJsonAsync("/admin/v1/reconcile?period=2026-10");

        // One of beta's usage entries loses a cent: −0.28 becomes −0.27.
        var changed = await scene.ExecuteAsync($"""
            UPDATE ledger_entries SET amount = '-0.27'
            WHERE id = (SELECT MIN(id) FROM ledger_entries WHERE customer_id = '{beta}' AND kind = 3)
            """);
        var after = await scene.Admin.GetJsonAsync("/admin/v1/reconcile?period=2026-10");

        Assert.True(before["agrees"]!.GetValue<bool>());
        Assert.Equal(1, changed);
        Assert.False(after["agrees"]!.GetValue<bool>());
        var difference = Assert.Single(after["differences"]!.AsArray());
        Assert.Equal(beta, Text(difference, "customer_id"));
        Assert.Equal("2026-10", Text(difference, "period"));
        Assert.Equal(0.56m, Amount(difference, "usage_events"));
        Assert.Equal(0.55m, Amount(difference, "ledger_usage"));
        Assert.Equal(0.56m, Amount(difference, "invoiced"));
        Assert.False(difference!["agrees"]!.GetValue<bool>());
        Assert.DoesNotContain(alpha, after["differences"]!.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reconcile_InvoiceLineTamperedInDatabase_Disagrees()
    {
        await using var scene = await StartAsync(October);
        var (customer, key) = await scene.CustomerAsync();
        // 100,000 input × $2/M = $0.20 + 10,000 output × $8/M = $0.08 → $0.28.
        await scene.ChatAsync(key, input: 100_000, output: 10_000);
        scene.Time.SetUtcNow(NovemberFirst);
        await scene.RunAsync("2026-10", finalize: true);

        await scene.ExecuteAsync("UPDATE invoice_lines SET amount = '0.3' WHERE token_class = 'output'");
        var after = await scene.Admin.GetJsonAsync("/admin/v1/reconcile?period=2026-10");

        var difference = Assert.Single(after["differences"]!.AsArray());
        Assert.Equal(customer, Text(difference, "customer_id"));
        // Invoiced 0.20 + 0.30 against 0.28 used.
        Assert.Equal(0.50m, Amount(difference, "invoiced"));
        Assert.Equal(0.28m, Amount(difference, "usage_events"));
    }
}
