using Tollgate.Billing.Catalog;
using Tollgate.Billing.Invoices;
using Tollgate.Billing.Pricing;

namespace Tollgate.Tests.Billing.Invoices;

/// <summary>Cache writes are their own invoice line at the card's cache-write price, so the usage lines explain the whole charge.</summary>
public sealed class InvoiceCacheWriteTests
{
    private static readonly BillingPeriod Period = BillingPeriod.Parse("2026-02");

    [Fact]
    public void Build_UsageWithCacheWrites_OneCacheWriteLineAtItsPriceAndNothingUnexplained()
    {
        var rates = new TokenRates(3m, 0.3m, 15m, CacheWritePerMillion: 3.75m);
        var tokens = new TokenUsage(1100, 200, 500, CacheWriteTokens: 100);
        var charged = rates.AmountFor(tokens);
        var rollup = new UsageRollup("claude-up", 7, Period, 1, tokens, charged, charged);

        var lines = InvoiceBuilder.Build(Period, BillingMode.Postpaid, [rollup], _ => rates, []);

        var write = Assert.Single(lines, l => l.TokenClass == TokenClass.CacheWrite);
        Assert.Equal(100, write.Quantity);
        Assert.Equal(3.75m, write.UnitPrice);
        Assert.Equal(0.000375m, write.Amount);
        Assert.Equal(800, Assert.Single(lines, l => l.TokenClass == TokenClass.Input).Quantity);
        Assert.DoesNotContain(lines, l => l.Kind == InvoiceLineKind.UsageNotCharged);
        Assert.Equal(charged, lines.Sum(l => l.Amount));
    }

    [Fact]
    public void Build_CacheWritesWithoutAPrice_LineAtTheInputPrice()
    {
        var rates = new TokenRates(3m, 0.3m, 15m);
        var tokens = new TokenUsage(1100, 200, 500, CacheWriteTokens: 100);
        var charged = rates.AmountFor(tokens);

        var lines = InvoiceBuilder.Build(Period, BillingMode.Postpaid, [new UsageRollup("claude-up", 7, Period, 1, tokens, charged, charged)], _ => rates, []);

        Assert.Equal(3m, Assert.Single(lines, l => l.TokenClass == TokenClass.CacheWrite).UnitPrice);
        Assert.Equal(charged, lines.Sum(l => l.Amount));
    }
}
