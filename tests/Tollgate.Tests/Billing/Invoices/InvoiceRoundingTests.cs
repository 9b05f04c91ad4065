using Tollgate.Billing.Catalog;
using Tollgate.Billing.Invoices;

namespace Tollgate.Tests.Billing.Invoices;

public sealed class InvoiceRoundingTests
{
    private static readonly BillingPeriod October = new(2026, 10);

    private static InvoiceLine Usage(decimal amount) => new(InvoiceLineKind.Usage, "m", 1, null, amount) { UsagePeriod = October };

    [Fact]
    public void Finalize_PostpaidLinesRoundUp_EntryChargesTheDifference()
    {
        // 0.005 → 0.01 and 1.175 → 1.18: invoiced 1.19 against 1.18 exact, so the entry charges 0.01.
        var rounded = InvoiceRounding.Finalize([Usage(0.005m), Usage(1.175m)], BillingMode.Postpaid, October, 0m);

        Assert.Equal(1.19m, rounded.Total);
        Assert.Equal(-0.01m, rounded.RoundingEntry);
        Assert.DoesNotContain(rounded.Lines, l => l.Kind == InvoiceLineKind.Rounding);
    }

    [Fact]
    public void Finalize_PrepaidLinesRoundUp_RoundedDownInTheCustomersFavourWithACreditEntry()
    {
        var rounded = InvoiceRounding.Finalize([Usage(0.005m), Usage(1.174992m)], BillingMode.Prepaid, October, 0m);

        Assert.Equal(0m, rounded.Total);
        Assert.Equal(0.009992m, rounded.RoundingEntry);
        Assert.Equal(-0.01m, rounded.Lines.Single(l => l.Kind == InvoiceLineKind.Rounding).Rounded);
        Assert.Equal(-1.17m, rounded.Lines.Single(l => l.Kind == InvoiceLineKind.PrepaidApplied).Rounded);
    }

    [Fact]
    public void Finalize_PrepaidLinesRoundDown_CreditEntryWithoutAnExtraLine()
    {
        var rounded = InvoiceRounding.Finalize([Usage(1.184m)], BillingMode.Prepaid, October, 0m);

        Assert.Equal(0.004m, rounded.RoundingEntry);
        Assert.Equal(-1.18m, rounded.Lines.Single(l => l.Kind == InvoiceLineKind.PrepaidApplied).Rounded);
        Assert.DoesNotContain(rounded.Lines, l => l.Kind == InvoiceLineKind.Rounding);
    }

    [Fact]
    public void Finalize_ShortfallMetByTrueUp_MonthTotalsTheCommitmentToTheCent()
    {
        // Usage 0.005 + 639.99 = 639.995, true-up 360.005: one by one 0.01 + 639.99 + 360.01 = 1000.01.
        InvoiceLine trueUp = new(InvoiceLineKind.TrueUp, "Commitment true-up", 1, null, 360.005m) { UsagePeriod = October };

        var rounded = InvoiceRounding.Finalize([Usage(0.005m), Usage(639.99m), trueUp], BillingMode.Postpaid, October, 1000m);

        Assert.Equal(1000.00m, rounded.Total);
        Assert.Equal(360.00m, rounded.Lines.Single(l => l.Kind == InvoiceLineKind.TrueUp).Rounded);
        Assert.Equal(0m, rounded.RoundingEntry);
    }

    [Fact]
    public void Finalize_LateTrueUpCredit_NotTreatedAsTheMonthsOwnTrueUp()
    {
        InvoiceLine credit = new(InvoiceLineKind.TrueUp, "late", 1, null, -0.333m) { UsagePeriod = new BillingPeriod(2026, 9) };

        var rounded = InvoiceRounding.Finalize([Usage(1m), credit], BillingMode.Postpaid, October, 0m);

        Assert.Equal(-0.33m, rounded.Lines.Single(l => l.Kind == InvoiceLineKind.TrueUp).Rounded);
        Assert.Equal(0.67m, rounded.Total);
        Assert.Equal(-0.003m, rounded.RoundingEntry);
    }
}
