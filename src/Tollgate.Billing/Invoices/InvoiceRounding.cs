using Tollgate.Billing.Catalog;

namespace Tollgate.Billing.Invoices;

/// <summary>
/// Finalizing an invoice turns exact amounts into cents so that the books and the invoice agree to
/// the cent: every line rounds half away from zero; a month that meets its commitment through its
/// true-up totals the commitment exactly; and the difference between the exact charges and the
/// invoice's total is booked as a <c>rounding</c> ledger entry (reference <c>rounding:{invoice}</c>).
/// A prepaid invoice never rounds against the customer: when its lines round up past what the
/// wallet paid, a "rounding in your favour" line brings the total down to the whole cents the wallet
/// paid, so its rounding entry is always a credit, never taking a wallet below zero, and "paid from
/// prepaid balance" is exactly what the wallet moved.
/// </summary>
public static class InvoiceRounding
{
    /// <summary>The finalized lines, what the invoice asks for, and the rounding entry to book (ledger sign: positive credits the customer).</summary>
    public sealed record Rounded(IReadOnlyList<InvoiceLine> Lines, decimal Total, decimal RoundingEntry);

    /// <param name="lines">The invoice's exact lines, as <see cref="InvoiceBuilder.Build"/> made them.</param>
    /// <param name="mode">Prepaid rounds in the customer's favour.</param>
    /// <param name="period">The invoice's month: its own true-up is the one that meets the commitment.</param>
    /// <param name="commitment">The month's contract commitment (zero without one).</param>
    /// <param name="alreadyBooked">
    /// Rounding entries earlier (now void) invoices of the same customer and month left in the ledger: a prepaid
    /// statement's credit stays in the wallet when it is voided, so its reissue rounds what is left, not the whole again.
    /// </param>
    public static Rounded Finalize(IReadOnlyList<InvoiceLine> lines, BillingMode mode, BillingPeriod period, decimal commitment, decimal alreadyBooked = 0m)
    {
        ArgumentNullException.ThrowIfNull(lines);
        var charges = lines.Where(l => l.Kind is not (InvoiceLineKind.PrepaidApplied or InvoiceLineKind.Rounding)).ToList();
        var rounded = charges.Select(l => l with { Rounded = Money.ToCents(l.Amount) }).ToList();
        MeetCommitmentExactly(rounded, period, commitment);
        var exact = charges.Sum(l => l.Amount) - alreadyBooked;
        var shown = rounded.Sum(l => l.Rounded!.Value);
        var target = mode == BillingMode.Prepaid && shown > exact ? Math.Floor(exact * 100m) / 100m : shown;
        if (target != shown)
            rounded.Add(new InvoiceLine(InvoiceLineKind.Rounding, "Rounding in your favour", 1, null, target - shown) { Rounded = target - shown });
        if (mode == BillingMode.Prepaid && target != 0)
            rounded.Add(new InvoiceLine(InvoiceLineKind.PrepaidApplied, "Paid from prepaid balance", 1, null, -target) { Rounded = -target });
        return new Rounded(rounded, mode == BillingMode.Prepaid ? 0m : target, exact - target);
    }

    /// <summary>What an invoice's rounded lines charge: every line but the prepaid balance applied.</summary>
    public static decimal Charged(IEnumerable<InvoiceLine> lines) =>
        lines.Where(l => l.Kind != InvoiceLineKind.PrepaidApplied).Sum(l => l.Rounded ?? l.Amount);

    /// <summary>
    /// The month's own usage plus its true-up is exactly the commitment (C − U + U = C); rounded one by
    /// one they could show $999.99. The true-up line takes the cents that make the sum the commitment.
    /// </summary>
    private static void MeetCommitmentExactly(List<InvoiceLine> lines, BillingPeriod period, decimal commitment)
    {
        var index = lines.FindIndex(l => l.Kind == InvoiceLineKind.TrueUp && l.UsagePeriod == period && l.Amount > 0);
        if (index < 0) return;
        var usage = lines.Where(l => l.IsUsage && l.UsagePeriod == period).Sum(l => l.Rounded!.Value);
        lines[index] = lines[index] with { Rounded = Money.ToCents(commitment) - usage };
    }
}
