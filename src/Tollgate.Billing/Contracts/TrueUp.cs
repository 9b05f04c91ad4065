namespace Tollgate.Billing.Contracts;

/// <summary>The shortfall billed at period end when usage charges fell below the commitment.</summary>
public static class TrueUp
{
    /// <param name="commitment">The period's commitment, summed over the contracts in force in it.</param>
    /// <param name="usageCharged">Usage charges billed for the period, after contract pricing, excluding fees.</param>
    public static decimal Shortfall(decimal commitment, decimal usageCharged) => Math.Max(0m, commitment - usageCharged);
}
