using Tollgate.Billing.Pricing;

namespace Tollgate.Tests.Billing.Pricing;

public sealed class RequestChargeTests
{
    [Fact]
    public void Of_InsideAnAllowance_ChargesNothing() =>
        Assert.Equal(new RequestCharge.Result(0m, null), RequestCharge.Of(0.25m, 0.2m, inAllowance: true, reserved: null));

    [Fact]
    public void Of_ContractInForce_ChargesTheContractAmount() =>
        Assert.Equal(new RequestCharge.Result(0.2m, null), RequestCharge.Of(0.25m, 0.2m, inAllowance: false, reserved: 1m));

    [Fact]
    public void Of_NoContract_ChargesList() =>
        Assert.Equal(new RequestCharge.Result(0.25m, null), RequestCharge.Of(0.25m, null, inAllowance: false, reserved: 0.25m));

    [Fact]
    public void Of_BackendRanPastTheReservation_CappedAtTheReservation() =>
        Assert.Equal(new RequestCharge.Result(0.1m, 0.25m), RequestCharge.Of(0.25m, null, inAllowance: false, reserved: 0.1m));
}
