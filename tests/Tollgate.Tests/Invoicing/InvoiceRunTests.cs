using System.Net;
using Tollgate.Tests.Admin;
using static Tollgate.Tests.Invoicing.InvoiceScene;

namespace Tollgate.Tests.Invoicing;

public sealed class InvoiceRunTests
{
    private static readonly DateTimeOffset October = new(2026, 10, 10, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Run_PostpaidMonthFinalizedAndPaid_LinesPerTokenClassAndBalanceFreed()
    {
        await using var scene = await StartAsync(October);
        var (customer, key) = await scene.CustomerAsync("postpaid", creditLimit: "100");
        // 1,000,000 input (200,000 cached) and 250,000 output tokens over two requests:
        //   uncached input 800,000 × $2/M = $1.60; cached 200,000 × $0.50/M = $0.10; output 250,000 × $8/M = $2.00 → $3.70
        await scene.ChatAsync(key, input: 600_000, output: 150_000, cached: 200_000);
        await scene.ChatAsync(key, input: 400_000, output: 100_000);

        scene.Time.SetUtcNow(new DateTimeOffset(2026, 11, 1, 0, 0, 5, TimeSpan.Zero));
        var run = await scene.RunAsync("2026-10", finalize: true);
        var invoice = await scene.InvoiceAsync(customer, "2026-10");

        Assert.Equal("succeeded", run["status"]!.GetValue<string>());
        Assert.Equal("finalized", invoice["status"]!.GetValue<string>());
        Assert.Matches(@"^TG-2026-\d{6}$", invoice["number"]!.GetValue<string>());
        Assert.Equal(3.70m, Amount(invoice, "total"));
        var lines = invoice["lines"]!.AsArray();
        Assert.Equal(["input", "cached_input", "output"], lines.Select(l => l!["token_class"]!.GetValue<string>()));
        Assert.Equal([1.60m, 0.10m, 2.00m], lines.Select(l => Amount(l, "rounded_amount")));

        await scene.Admin.PostJsonAsync($"/admin/v1/invoices/{invoice.Id()}/payments", """{"amount":"3.70","reference":"wire-1"}""");
        var paid = await scene.Admin.GetJsonAsync($"/admin/v1/invoices/{invoice.Id()}");
        var wallet = await scene.Admin.GetJsonAsync($"/admin/v1/customers/{customer}/wallet");
        var reconcile = await scene.Admin.GetJsonAsync("/admin/v1/reconcile?period=2026-10");

        Assert.Equal("paid", paid["status"]!.GetValue<string>());
        Assert.Equal(100m, Amount(wallet, "available"));
        Assert.True(reconcile["agrees"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Run_TwiceConcurrently_OneInvoicePerCustomer()
    {
        await using var scene = await StartAsync(October);
        var (customer, key) = await scene.CustomerAsync();
        await scene.ChatAsync(key, input: 1000, output: 1000);
        scene.Time.SetUtcNow(new DateTimeOffset(2026, 11, 2, 0, 0, 0, TimeSpan.Zero));

        var runs = await Task.WhenAll(scene.RunAsync("2026-10", finalize: true), scene.RunAsync("2026-10", finalize: true), scene.RunAsync("2026-10", finalize: false));
        await scene.RunAsync("2026-10", finalize: true);
        var list = await scene.Admin.GetJsonAsync($"/admin/v1/invoices?customer_id={customer}");

        Assert.All(runs, r => Assert.Equal("succeeded", r["status"]!.GetValue<string>()));
        var invoice = Assert.Single(list.Data());
        Assert.Equal("finalized", invoice!["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Run_FinalizeBeforePeriodEnds_Conflict()
    {
        await using var scene = await StartAsync(October);

        using var response = await scene.Admin.RawAsync(HttpMethod.Post, "/admin/v1/invoice-runs", """{"period":"2026-10","finalize":true}""");

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
    }
}
