using System.Net;
using Tollgate.Tests.Admin;
using static Tollgate.Tests.Invoicing.InvoiceScene;

namespace Tollgate.Tests.Invoicing;

/// <summary>
/// Hand-computed lines, rounding, numbering and payments of October 2026 invoices; rates are the
/// scene's ($2 input, $0.50 cached input, $8 output per million tokens) unless a test says otherwise.
/// </summary>
public sealed class InvoiceLineGoldenTests
{
    private static readonly DateTimeOffset October = new(2026, 10, 5, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task ZeroUsagePeriod_NumberedInvoiceWithNoLinesAndNothingDue()
    {
        await using var scene = await StartAsync(October);
        var (customer, _) = await scene.CustomerAsync();
        scene.Time.SetUtcNow(NovemberFirst);

        await scene.RunAsync("2026-10", finalize: true);
        var invoice = await scene.InvoiceAsync(customer, "2026-10");

        Assert.Empty(invoice["lines"]!.AsArray());
        Assert.Equal(0m, Amount(invoice, "total"));
        Assert.Equal(0m, Amount(invoice, "amount_due"));
        // Nothing to pay: settled at finalization, still numbered so the sequence has no gap.
        Assert.Equal("paid", Text(invoice, "status"));
        Assert.Equal("TG-2026-000001", Text(invoice, "number"));
    }

    [Fact]
    public async Task SubCentUsage_EachLineRoundsHalfAwayFromZero()
    {
        await using var scene = await StartAsync(October);
        var (customer, key) = await scene.CustomerAsync();
        // 2,500 input × $2/M = $0.005 (exactly half a cent → $0.01); 1,249 output × $8/M = $0.009992 (→ $0.01).
        await scene.ChatAsync(key, input: 2_500, output: 1_249);
        scene.Time.SetUtcNow(NovemberFirst);
        await scene.RunAsync("2026-10", finalize: false);
        var draft = await scene.InvoiceAsync(customer, "2026-10");

        await scene.RunAsync("2026-10", finalize: true);
        var invoice = await scene.InvoiceAsync(customer, "2026-10");

        // The draft is exact: 0.005 + 0.009992 = 0.014992.
        Assert.Equal(0.014992m, Amount(draft, "total"));
        Assert.Equal([0.005m, 0.009992m], invoice["lines"]!.AsArray().Select(l => Amount(l, "amount")));
        // Rounded per line, 0.01 + 0.01 = 0.02 (rounding the sum instead would give 0.01): within half a cent per line of the exact total.
        Assert.Equal([("usage", "input", 0.01m), ("usage", "output", 0.01m)], Lines(invoice));
        Assert.Equal(0.02m, Amount(invoice, "total"));
    }

    [Fact]
    public async Task CachedInputTokens_PricedApartFromUncachedInput()
    {
        await using var scene = await StartAsync(October);
        var (customer, key) = await scene.CustomerAsync();
        // 1,000,000 input of which 600,000 cached:
        //   uncached 400,000 × $2/M = $0.80; cached 600,000 × $0.50/M = $0.30; output 50,000 × $8/M = $0.40 → $1.50.
        await scene.ChatAsync(key, input: 1_000_000, output: 50_000, cached: 600_000);
        scene.Time.SetUtcNow(NovemberFirst);

        await scene.RunAsync("2026-10", finalize: true);
        var invoice = await scene.InvoiceAsync(customer, "2026-10");

        Assert.Equal([("usage", "input", 0.80m), ("usage", "cached_input", 0.30m), ("usage", "output", 0.40m)], Lines(invoice));
        var lines = invoice["lines"]!.AsArray();
        Assert.Equal([400_000m, 600_000m, 50_000m], lines.Select(l => Amount(l, "quantity")));
        Assert.Equal([2m, 0.5m, 8m], lines.Select(l => Amount(l, "unit_price")));
        Assert.Equal(1.50m, Amount(invoice, "total"));
    }

    [Fact]
    public async Task RequestFee_OwnLinePerRequest()
    {
        await using var scene = await StartAsync(October, requestFee: "0.25");
        var (customer, key) = await scene.CustomerAsync();
        // Four requests of 10,000 input and 1,000 output each:
        //   40,000 input × $2/M = $0.08; 4,000 output × $8/M = $0.032 (→ $0.03); 4 requests × $0.25 = $1.00 → $1.11 (exact $1.112).
        for (var i = 0; i < 4; i++) await scene.ChatAsync(key, input: 10_000, output: 1_000);
        scene.Time.SetUtcNow(NovemberFirst);

        await scene.RunAsync("2026-10", finalize: true);
        var invoice = await scene.InvoiceAsync(customer, "2026-10");

        Assert.Equal([("usage", "input", 0.08m), ("usage", "output", 0.03m), ("usage", "request", 1.00m)], Lines(invoice));
        var fee = invoice["lines"]![2]!;
        Assert.Equal(4m, Amount(fee, "quantity"));
        Assert.Equal(0.25m, Amount(fee, "unit_price"));
        Assert.Equal(1.11m, Amount(invoice, "total"));
    }

    [Fact]
    public async Task DiscountAndCreditNote_LinesReduceWhatIsOwed()
    {
        await using var scene = await StartAsync(October);
        var (customer, key) = await scene.CustomerAsync();
        // 1,000,000 input × $2/M = $2.00 + 1,000,000 output × $8/M = $8.00 → $10.00.
        await scene.ChatAsync(key, input: 1_000_000, output: 1_000_000);
        scene.Time.SetUtcNow(new DateTimeOffset(2026, 10, 20, 0, 0, 0, TimeSpan.Zero));
        var discount = await scene.LedgerEntryAsync(customer, "discount", "1.5", "loyalty");
        var creditNote = await scene.LedgerEntryAsync(customer, "credit_note", "0.25", "outage on 12 October");
        scene.Time.SetUtcNow(NovemberFirst);

        await scene.RunAsync("2026-10", finalize: true);
        var invoice = await scene.InvoiceAsync(customer, "2026-10");

        // 10.00 − 1.50 − 0.25 = 8.25.
        Assert.Equal([("usage", "input", 2.00m), ("usage", "output", 8.00m), ("discount", null, -1.50m), ("credit_note", null, -0.25m)], Lines(invoice));
        var lines = invoice["lines"]!.AsArray();
        Assert.StartsWith("Discount (", Text(lines[2], "description"));
        Assert.StartsWith("Credit note (", Text(lines[3], "description"));
        Assert.Equal(discount["id"]!.GetValue<long>(), lines[2]!["ledger_entry_id"]!.GetValue<long>());
        Assert.Equal(creditNote["id"]!.GetValue<long>(), lines[3]!["ledger_entry_id"]!.GetValue<long>());
        Assert.Equal(8.25m, Amount(invoice, "total"));
    }

    [Fact]
    public async Task Numbers_AcrossCustomersMonthsVoidsAndReissues_Gapless()
    {
        await using var scene = await StartAsync(October);
        var customers = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var (customer, key) = await scene.CustomerAsync();
            customers.Add(customer);
            await scene.ChatAsync(key, input: 100_000 * (i + 1), output: 100);
        }
        scene.Time.SetUtcNow(NovemberFirst);
        // October: three invoices, 1 to 3.
        await scene.RunAsync("2026-10", finalize: true);
        var voided = await scene.InvoiceAsync(customers[1], "2026-10");
        var creditNote = await scene.Admin.SendAsync(HttpMethod.Post, $"/admin/v1/invoices/{voided.Id()}/void", """{"reason":"wrong customer"}""");
        // November (no usage, still invoiced): 4 to 6; then October's reissue: 7.
        scene.Time.SetUtcNow(DecemberFirst);
        await scene.RunAsync("2026-11", finalize: true);
        await scene.RunAsync("2026-10", finalize: true);
        var numbers = (await scene.Admin.GetJsonAsync("/admin/v1/invoices?limit=100")).Data().Select(i => Text(i, "number")).Order().ToArray();

        Assert.Equal(Enumerable.Range(1, 7).Select(n => $"TG-2026-{n:D6}"), numbers);
        Assert.Equal("TG-CN-2026-000001", Text(creditNote, "credit_note_number"));
    }

    [Fact]
    public async Task Payment_RepeatedReference_RecordedOnce()
    {
        await using var scene = await StartAsync(October);
        var (customer, key) = await scene.CustomerAsync("postpaid", creditLimit: "50");
        // 1,000,000 input × $2/M = $2.00 + 500,000 output × $8/M = $4.00 → $6.00.
        await scene.ChatAsync(key, input: 1_000_000, output: 500_000);
        scene.Time.SetUtcNow(NovemberFirst);
        await scene.RunAsync("2026-10", finalize: true);
        var invoice = await scene.InvoiceAsync(customer, "2026-10");

        await scene.PayAsync(invoice, "1.00", "wire-7");
        var repeated = await scene.PayAsync(invoice, "1.00", "wire-7", HttpStatusCode.OK);
        var wallet = await scene.WalletAsync(customer);
        var ledger = (await scene.Admin.GetJsonAsync($"/admin/v1/customers/{customer}/ledger")).Data();

        Assert.Single(repeated["payments"]!.AsArray());
        Assert.Equal(1.00m, Amount(repeated, "amount_paid"));
        Assert.Equal(5.00m, Amount(repeated, "amount_due"));
        // 50 − 6.00 + 1.00, freed once.
        Assert.Equal(45m, Amount(wallet, "available"));
        Assert.Single(ledger, e => Text(e, "kind") == "payment");
    }

    [Fact]
    public async Task Void_PaidInvoice_RefusedAndUnchanged()
    {
        await using var scene = await StartAsync(October);
        var (customer, key) = await scene.CustomerAsync();
        // 100,000 input × $2/M = $0.20 + 100,000 output × $8/M = $0.80 → $1.00.
        await scene.ChatAsync(key, input: 100_000, output: 100_000);
        scene.Time.SetUtcNow(NovemberFirst);
        await scene.RunAsync("2026-10", finalize: true);
        var invoice = await scene.InvoiceAsync(customer, "2026-10");
        await scene.PayAsync(invoice, "1.00", "card-1");

        using var response = await scene.Admin.RawAsync(HttpMethod.Post, $"/admin/v1/invoices/{invoice.Id()}/void", """{"reason":"changed my mind"}""");
        var after = await scene.Admin.GetJsonAsync($"/admin/v1/invoices/{invoice.Id()}");

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("paid", Text(after, "status"));
        Assert.Null(after["credit_note_number"]);
        Assert.Equal(1.00m, Amount(after, "total"));
    }

    [Fact]
    public async Task Void_PrepaidInvoiceSettledAtFinalization_VoidedAndReissuedWithTheSameLines()
    {
        await using var scene = await StartAsync(October);
        var (customer, key) = await scene.CustomerAsync("prepaid");
        await scene.GrantAsync(customer, "10");
        // 100,000 input × $2/M = $0.20 + 100,000 output × $8/M = $0.80 → $1.00, paid from the wallet.
        await scene.ChatAsync(key, input: 100_000, output: 100_000);
        scene.Time.SetUtcNow(NovemberFirst);
        await scene.RunAsync("2026-10", finalize: true);
        var first = await scene.InvoiceAsync(customer, "2026-10");

        // Settled at finalization with no payment recorded: voiding it is allowed.
        var voided = await scene.Admin.SendAsync(HttpMethod.Post, $"/admin/v1/invoices/{first.Id()}/void", """{"reason":"statement sent to the wrong address"}""");
        await scene.RunAsync("2026-10", finalize: true);
        var reissued = await scene.InvoiceAsync(customer, "2026-10");

        Assert.Equal("paid", Text(first, "status"));
        Assert.Equal("void", Text(voided, "status"));
        Assert.Equal("TG-CN-2026-000001", Text(voided, "credit_note_number"));
        Assert.Equal("TG-2026-000002", Text(reissued, "number"));
        Assert.Equal([("usage", "input", 0.20m), ("usage", "output", 0.80m), ("prepaid_applied", null, -1.00m)], Lines(reissued));
        Assert.Equal(Lines(first), Lines(reissued));
        Assert.Equal(9m, Amount(await scene.WalletAsync(customer), "balance"));
    }
}
