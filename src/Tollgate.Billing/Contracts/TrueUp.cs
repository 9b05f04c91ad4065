using System.Globalization;
using Tollgate.Billing.Invoices;

namespace Tollgate.Billing.Contracts;

/// <summary>
/// The shortfall billed at period end when usage charges fell below the commitment. Usage counts
/// toward the commitment of the month it happened in, however late it arrives: a month costs the
/// larger of its commitment and its usage. Late usage of a month whose shortfall was already billed
/// is credited back against that shortfall, never counted toward a later month's commitment.
/// </summary>
public static class TrueUp
{
    private const string Prefix = "trueup:";

    /// <param name="commitment">The period's commitment, summed over the contracts in force in it.</param>
    /// <param name="usageCharged">Usage charges of the period itself (not late usage of earlier months), after contract pricing, excluding fees.</param>
    public static decimal Shortfall(decimal commitment, decimal usageCharged) => Math.Max(0m, commitment - usageCharged);

    /// <summary>
    /// What late usage of a month gives back of that month's billed shortfall: as much of the
    /// shortfall as the late usage fills, since the commitment had already paid for it.
    /// </summary>
    /// <param name="lateUsage">Usage of the month billed only now.</param>
    /// <param name="shortfallStillBilled">That month's true-ups so far (its shortfall less earlier late credits).</param>
    public static decimal LateCredit(decimal lateUsage, decimal shortfallStillBilled) => Math.Min(Math.Max(lateUsage, 0m), Math.Max(shortfallStillBilled, 0m));

    /// <summary>The ledger reference of a month's own true-up; unique, so it is written once.</summary>
    public static string Reference(string customerId, BillingPeriod month) => $"{Prefix}{customerId}:{month}";

    /// <summary>The ledger reference of the credit that late usage of <paramref name="month"/>, billed in <paramref name="billedIn"/>, earns.</summary>
    public static string LateReference(string customerId, BillingPeriod month, BillingPeriod billedIn) => $"{Prefix}{customerId}:{month}:late:{billedIn}";

    /// <summary>The month a true-up reference is about; null for a reference of another shape.</summary>
    public static BillingPeriod? MonthOf(string reference)
    {
        if (!reference.StartsWith(Prefix, StringComparison.Ordinal)) return null;
        var parts = reference.Split(':');
        return parts.Length >= 3 && BillingPeriod.TryParse(parts[2], out var month) ? month : null;
    }

    /// <summary>A line's note, in invariant text.</summary>
    public static string Note(BillingPeriod month, decimal commitment, decimal usageCharged) =>
        string.Create(CultureInfo.InvariantCulture, $"Commitment {month}: ${Money.Format(commitment)} committed, ${Money.Format(usageCharged)} usage charged");
}
