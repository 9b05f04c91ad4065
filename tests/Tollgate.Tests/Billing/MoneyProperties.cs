using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Tollgate.Billing;

namespace Tollgate.Tests.Billing;

/// <summary>Money arithmetic holds for every amount FsCheck can think of, not only the examples in <see cref="MoneyTests"/>.</summary>
public sealed class MoneyProperties
{
    /// <summary>Prices as stored: up to six decimals, from zero to a thousand dollars per million tokens.</summary>
    private static Arbitrary<decimal> Rates() =>
        Gen.Choose(0, 1_000_000_000).Select(micro => micro / 1_000_000m).ToArbitrary();

    private static Arbitrary<long> TokenCounts() => Gen.Choose(0, int.MaxValue).Select(t => (long)t).ToArbitrary();

    [Property(MaxTest = 500)]
    public bool FormatThenParse_GivesTheSameAmount(decimal amount) => Money.Parse(Money.Format(amount)) == amount;

    [Property(MaxTest = 500)]
    public bool Format_IsInvariantWithoutTrailingZerosOrExponent(decimal amount)
    {
        var text = Money.Format(amount);
        return !text.Contains('E', StringComparison.OrdinalIgnoreCase) && !text.Contains(',', StringComparison.Ordinal)
            && (!text.Contains('.', StringComparison.Ordinal) || !text.EndsWith('0'));
    }

    [Property(MaxTest = 500)]
    public bool ToCents_WithinHalfACentIdempotentAndSymmetric(decimal amount)
    {
        var cents = Money.ToCents(amount);
        return Math.Abs(cents - amount) <= 0.005m && Money.ToCents(cents) == cents && Money.ToCents(-amount) == -cents && decimal.Round(cents, 2) == cents;
    }

    [Property(MaxTest = 500)]
    public Property ForTokens_IsExactlyAdditive() =>
        Prop.ForAll(TokenCounts(), TokenCounts(), Rates(), (a, b, rate) => Money.ForTokens(a + b, rate) == Money.ForTokens(a, rate) + Money.ForTokens(b, rate));

    [Property(MaxTest = 500)]
    public Property ForTokens_NeverNegativeAndGrowsWithTokens() =>
        Prop.ForAll(TokenCounts(), TokenCounts(), Rates(), (a, b, rate) =>
        {
            var (low, high) = a <= b ? (a, b) : (b, a);
            return Money.ForTokens(low, rate) >= 0 && Money.ForTokens(low, rate) <= Money.ForTokens(high, rate);
        });

    [Property(MaxTest = 500)]
    public Property ForTokens_OfAMillionIsTheRate() => Prop.ForAll(Rates(), rate => Money.ForTokens(1_000_000, rate) == rate);

    [Property(MaxTest = 500)]
    public Property IsValidRate_AcceptsSixDecimalsRefusesSeven() =>
        Prop.ForAll(Rates(), Gen.Choose(1, 9).ToArbitrary(), (rate, digit) =>
            Money.IsValidRate(rate) && !Money.IsValidRate(rate + digit / 10_000_000m) && !Money.IsValidRate(-rate - 0.000001m));

    [Property(MaxTest = 300)]
    public Property SumOfCharges_EqualsChargeOfTheSum_AtFullPrecision() =>
        Prop.ForAll(Gen.ListOf(Gen.Choose(0, 100_000)).Select(l => l.Select(t => (long)t).ToArray()).ToArbitrary(), Rates(), (tokens, rate) =>
            tokens.Sum(t => Money.ForTokens(t, rate)) == Money.ForTokens(tokens.Sum(), rate));
}
