using Tollgate.Billing.Contracts;
using Tollgate.Billing.Invoices;

namespace Tollgate.Contracts;

/// <summary>
/// Where a contract stands against its commitment in one period: the prorated commitment, usage
/// charged so far, and — at the pace so far over the part of the period the contract covers —
/// the usage expected by period end and the true-up that would bill.
/// </summary>
internal sealed record ContractProgress(
    BillingPeriod Period, decimal Commitment, decimal Used, decimal Remaining, decimal ProjectedUsage, decimal ProjectedTrueUp, decimal ElapsedShare)
{
    public static ContractProgress Compute(Contract contract, BillingPeriod period, decimal used, DateTimeOffset now)
    {
        var commitment = contract.CommitmentFor(period);
        var from = contract.StartsAt > period.Start ? contract.StartsAt : period.Start;
        var to = contract.EffectiveEnd < period.End ? contract.EffectiveEnd : period.End;
        var covered = Math.Max(0, (long)(to - from).TotalSeconds);
        var clampedNow = now < from ? from : now > to ? to : now;
        var elapsed = Math.Max(0, (long)(clampedNow - from).TotalSeconds);
        var share = covered == 0 ? 1m : Math.Round((decimal)elapsed / covered, 6, MidpointRounding.AwayFromZero);
        // Linear pace: nothing to extrapolate from before the first second, so the projection is what is used.
        var projected = elapsed == 0 || elapsed >= covered ? used : Math.Round(used * covered / elapsed, 10, MidpointRounding.AwayFromZero);
        return new ContractProgress(period, commitment, used, Math.Max(0, commitment - used), projected, TrueUp.Shortfall(commitment, projected), share);
    }
}
