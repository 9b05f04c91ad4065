using Tollgate.Billing;
using Tollgate.Billing.Catalog;
using Tollgate.Billing.Invoices;

namespace Tollgate.Tests.Billing;

/// <summary>
/// Finalizing random line sets: a postpaid invoice's total less the exact charges is minus the
/// rounding entry; a prepaid one never rounds against the customer (entry ≥ 0, what the wallet is
/// shown paying is whole cents not above the exact charges); every line is within half a cent of its
/// exact amount except the true-up that makes a met commitment exact and the rounding line.
/// </summary>
public sealed class InvoiceRoundingPropertyTests
{
    private static readonly BillingPeriod February = BillingPeriod.Of(new DateTimeOffset(2028, 2, 29, 23, 59, 59, TimeSpan.Zero));

    [Theory]
    [InlineData(BillingMode.Postpaid)]
    [InlineData(BillingMode.Prepaid)]
    public void Finalize_RandomLineSets_LedgerAndInvoiceAgreeToTheCent(BillingMode mode)
    {
        for (var seed = 1; seed <= 500; seed++)
        {
            var random = new Random(seed);
            var (lines, commitment) = LineSet(random);
            var exact = lines.Sum(l => l.Amount);

            var rounded = InvoiceRounding.Finalize(lines, mode, February, commitment);
            var charged = InvoiceRounding.Charged(rounded.Lines);

            var context = $"seed {seed}: exact {exact}, charged {charged}, entry {rounded.RoundingEntry}";
            Assert.True(charged == Money.ToCents(charged), context);
            Assert.True(exact - charged == rounded.RoundingEntry, context);
            foreach (var line in rounded.Lines.Where(l => l.Kind is not (InvoiceLineKind.TrueUp or InvoiceLineKind.Rounding or InvoiceLineKind.PrepaidApplied)))
                Assert.True(Math.Abs(line.Rounded!.Value - line.Amount) <= 0.005m, $"{context}: {line.Kind} {line.Amount} → {line.Rounded}");
            if (commitment > 0)
            {
                // Usage below the commitment plus its true-up: exactly the commitment, to the cent.
                var usage = rounded.Lines.Where(l => l.IsUsage).Sum(l => l.Rounded!.Value);
                var trueUp = rounded.Lines.Single(l => l.Kind == InvoiceLineKind.TrueUp).Rounded!.Value;
                Assert.True(usage + trueUp == Money.ToCents(commitment), context);
            }
            if (mode == BillingMode.Postpaid)
            {
                Assert.True(rounded.Total == charged && rounded.Total - exact == -rounded.RoundingEntry, context);
                Assert.DoesNotContain(rounded.Lines, l => l.Kind == InvoiceLineKind.Rounding);
            }
            else
            {
                // The wallet paid `exact`; the invoice shows it paying `charged` ≤ exact, and books the rest back to it.
                Assert.True(rounded.Total == 0m && rounded.RoundingEntry >= 0m, context);
                Assert.True((rounded.Lines.SingleOrDefault(l => l.Kind == InvoiceLineKind.PrepaidApplied)?.Rounded ?? 0m) == -charged, context);
            }
        }
    }

    [Theory]
    // Three lines of $0.005: each rounds to $0.01, shown $0.03 against exact $0.015.
    // Postpaid asks $0.03, entry 0.015 − 0.03 = −0.015. Prepaid: floor(1.5) ¢ = $0.01, a −$0.02 line, entry 0.015 − 0.01 = +0.005.
    [InlineData(BillingMode.Postpaid, 0.03, -0.015, null)]
    [InlineData(BillingMode.Prepaid, 0.01, 0.005, -0.02)]
    public void Finalize_ManyHalfCentLines_RoundsEachAwayFromZeroAndPrepaidInTheCustomersFavour(BillingMode mode, decimal charged, decimal entry,
        double? roundingLine)
    {
        IReadOnlyList<InvoiceLine> lines = [.. Enumerable.Range(0, 3).Select(_ => Usage(0.005m))];

        var rounded = InvoiceRounding.Finalize(lines, mode, February, 0m);

        Assert.Equal(charged, InvoiceRounding.Charged(rounded.Lines));
        Assert.Equal(entry, rounded.RoundingEntry);
        Assert.Equal(roundingLine is null ? null : (decimal)roundingLine.Value, rounded.Lines.SingleOrDefault(l => l.Kind == InvoiceLineKind.Rounding)?.Rounded);
    }

    [Fact]
    public void Finalize_CommitmentMetThroughTrueUp_TotalsTheCommitmentExactly()
    {
        // Usage 0.334 + 0.334 + 0.334 = 1.002 (each → 0.33: 0.99 shown); commitment 1000 → true-up 998.998.
        // One by one: 0.99 + 999.00 = 999.99. The true-up takes 1000.00 − 0.99 = 999.01, so the invoice is $1,000.00, entry 1000 − 1000 = 0.
        IReadOnlyList<InvoiceLine> lines = [Usage(0.334m), Usage(0.334m), Usage(0.334m),
            new(InvoiceLineKind.TrueUp, "Commitment", 1, null, 998.998m) { UsagePeriod = February }];

        var rounded = InvoiceRounding.Finalize(lines, BillingMode.Postpaid, February, 1000m);

        Assert.Equal(1000.00m, rounded.Total);
        Assert.Equal(999.01m, rounded.Lines.Single(l => l.Kind == InvoiceLineKind.TrueUp).Rounded);
        Assert.Equal(0m, rounded.RoundingEntry);
    }

    private static InvoiceLine Usage(decimal amount) => new(InvoiceLineKind.Usage, "usage", 1, null, amount) { UsagePeriod = February };

    /// <summary>
    /// 1–40 usage lines to the micro-dollar (many near half a cent), sometimes a fee, a discount and an adjustment;
    /// in a third of the sets a commitment above the usage, with its true-up (commitment − usage, exact).
    /// </summary>
    private static (List<InvoiceLine> Lines, decimal Commitment) LineSet(Random random)
    {
        var lines = Enumerable.Range(0, random.Next(1, 41))
            .Select(_ => Usage(random.Next(3) == 0 ? random.Next(0, 100) * 0.01m + 0.005m : random.Next(1, 5_000_000) / 1_000_000m)).ToList();
        if (random.Next(3) == 0) lines.Add(new InvoiceLine(InvoiceLineKind.SubscriptionFee, "fee", 1, null, random.Next(1, 10_000_000) / 1_000_000m));
        if (random.Next(4) == 0) lines.Add(new InvoiceLine(InvoiceLineKind.Discount, "discount", 1, null, -random.Next(1, 100_000) / 1_000_000m));
        var commitment = 0m;
        if (random.Next(3) == 0)
        {
            commitment = lines.Where(l => l.IsUsage).Sum(l => l.Amount) + random.Next(1, 100_000_000) / 1_000_000m;
            commitment = Math.Round(commitment, 2);
            var usage = lines.Where(l => l.IsUsage).Sum(l => l.Amount);
            if (commitment > usage) lines.Add(new InvoiceLine(InvoiceLineKind.TrueUp, "Commitment", 1, null, commitment - usage) { UsagePeriod = February });
            else commitment = 0m;
        }
        return (lines, commitment);
    }
}
