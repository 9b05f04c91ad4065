namespace Tollgate.Billing.Pricing;

/// <summary>
/// What one served request is charged: nothing inside a subscription's allowance (it is still
/// metered at list), the contract's rates while a contract is in force, else the list amount —
/// and never more than was reserved for it: a backend that ran past the worst case is the
/// operator's loss, never the customer's.
/// </summary>
public static class RequestCharge
{
    /// <summary>The charge, and the amount it was capped from when the reservation did not cover it.</summary>
    public readonly record struct Result(decimal Charged, decimal? CappedFrom);

    /// <param name="list">The usage at the price card's list rates.</param>
    /// <param name="contractAmount">The usage at the contract's rates; null when no contract is in force.</param>
    /// <param name="inAllowance">Served inside a subscription window.</param>
    /// <param name="reserved">What was held for the request; null when nothing was (inside an allowance).</param>
    public static Result Of(decimal list, decimal? contractAmount, bool inAllowance, decimal? reserved)
    {
        var charged = inAllowance ? 0m : contractAmount ?? list;
        return reserved is { } held && charged > held ? new Result(held, charged) : new Result(charged, null);
    }
}
