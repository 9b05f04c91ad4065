using Tollgate.Billing.Invoices;

namespace Tollgate.Tests.Billing.Invoices;

public sealed class InvoiceTransitionsTests
{
    private static readonly BillingPeriod November = new(2026, 11);

    [Fact]
    public void RefuseFinalize_LastSecondOfTheMonth_Refused() =>
        Assert.NotNull(InvoiceTransitions.RefuseFinalize(InvoiceStatus.Draft, November, November.End.AddTicks(-1), "inv_1"));

    [Fact]
    public void RefuseFinalize_FirstInstantOfTheNextMonth_Allowed() =>
        Assert.Null(InvoiceTransitions.RefuseFinalize(InvoiceStatus.Draft, November, November.End, "inv_1"));

    [Theory]
    [InlineData(InvoiceStatus.Finalized)]
    [InlineData(InvoiceStatus.Paid)]
    [InlineData(InvoiceStatus.Void)]
    public void RefuseFinalize_NotADraft_Refused(InvoiceStatus status) =>
        Assert.NotNull(InvoiceTransitions.RefuseFinalize(status, November, November.End.AddDays(1), "inv_1"));

    [Fact]
    public void RefusePayment_MoreThanDue_RefusedAndExactlyDueAllowed()
    {
        Assert.NotNull(InvoiceTransitions.RefusePayment(InvoiceStatus.Finalized, 10m, 10.01m, "inv_1", "TG-2026-000001"));
        Assert.Null(InvoiceTransitions.RefusePayment(InvoiceStatus.Finalized, 10m, 10m, "inv_1", "TG-2026-000001"));
        Assert.Equal(InvoiceStatus.Paid, InvoiceTransitions.StatusAfterPayment(10m, 10m));
        Assert.Equal(InvoiceStatus.Finalized, InvoiceTransitions.StatusAfterPayment(9.99m, 10m));
    }

    [Fact]
    public void RefuseVoid_PaymentsRecorded_Refused() =>
        Assert.NotNull(InvoiceTransitions.RefuseVoid(InvoiceStatus.Finalized, 1m, "inv_1", "TG-2026-000001"));

    [Fact]
    public void RefuseVoid_SettledAtFinalizationWithoutPayments_Allowed() =>
        Assert.Null(InvoiceTransitions.RefuseVoid(InvoiceStatus.Paid, 0m, "inv_1", "TG-2026-000001"));

    [Theory]
    [InlineData("0", InvoiceStatus.Paid)]
    [InlineData("-0.01", InvoiceStatus.Paid)]
    [InlineData("0.01", InvoiceStatus.Finalized)]
    public void StatusOnFinalize_NothingDue_PaidAtOnce(string total, InvoiceStatus expected) =>
        Assert.Equal(expected, InvoiceTransitions.StatusOnFinalize(decimal.Parse(total, System.Globalization.CultureInfo.InvariantCulture)));
}
