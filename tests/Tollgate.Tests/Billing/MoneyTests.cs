using System.Globalization;
using Tollgate.Billing;

namespace Tollgate.Tests.Billing;

public sealed class MoneyTests
{
    /// <summary>Invoices round each line to cents half away from zero, not to even (banker's rounding would give 0.02 and 2.66).</summary>
    [Theory]
    [InlineData("0.005", "0.01")]
    [InlineData("0.015", "0.02")]
    [InlineData("0.025", "0.03")]
    [InlineData("2.665", "2.67")]
    [InlineData("-0.005", "-0.01")]
    [InlineData("-0.025", "-0.03")]
    [InlineData("0.0049999999", "0.00")]
    [InlineData("1.994999", "1.99")]
    [InlineData("1.995", "2.00")]
    [InlineData("123456789012.125", "123456789012.13")]
    [InlineData("7", "7")]
    [InlineData("0", "0")]
    public void ToCents_Midpoints_RoundHalfAwayFromZero(string amount, string cents) =>
        Assert.Equal(Parse(cents), Money.ToCents(Parse(amount)));

    [Theory]
    [InlineData("1.50", "1.5")]
    [InlineData("100", "100")]
    [InlineData("100.000", "100")]
    [InlineData("0.000000", "0")]
    [InlineData("1.000001", "1.000001")]
    [InlineData("-0.10", "-0.1")]
    [InlineData("0.0000000000000000000000000001", "0.0000000000000000000000000001")]
    [InlineData("79228162514264337593543950335", "79228162514264337593543950335")]
    [InlineData("-79228162514264337593543950335", "-79228162514264337593543950335")]
    public void Format_Amount_PlainDigitsWithoutTrailingZeros(string amount, string formatted) =>
        Assert.Equal(formatted, Money.Format(Parse(amount)));

    [Fact]
    public void Format_NegativeZero_IsZero()
    {
        var negativeZero = decimal.Negate(0.00m);

        Assert.Equal("0", Money.Format(negativeZero));
    }

    /// <summary>What is written is what is read back: amounts of every scale, sign and size, including the full precision of a per-token charge.</summary>
    [Fact]
    public void Format_ThenParse_RoundTripsExactly()
    {
        var random = new Random(20_261_129);
        var amounts = new List<decimal> { 0m, 1m, -1m, 0.1m, 1m / 3m, decimal.MaxValue, decimal.MinValue, 0.0000000000000000000000000001m, 7 * 0.15m / 1_000_000m };
        for (var i = 0; i < 2_000; i++)
            amounts.Add(new decimal(random.Next(), random.Next(), random.Next(), random.Next(2) == 0, (byte)random.Next(29)));

        foreach (var amount in amounts)
        {
            var text = Money.Format(amount);
            Assert.Equal(amount, Money.Parse(text));
            Assert.True(Money.TryParse(text, out var parsed) && parsed == amount, text);
            Assert.DoesNotMatch("[eE]|\\.$|\\.\\d*0$", text);
        }
    }

    [Theory]
    [InlineData("0", true)]
    [InlineData("0.15", true)]
    [InlineData("0.000001", true)]
    [InlineData("1000000", true)]
    [InlineData("0.0000001", false)]
    [InlineData("-0.01", false)]
    public void IsValidRate_SixDecimalsAtMostAndNotNegative(string rate, bool valid) => Assert.Equal(valid, Money.IsValidRate(Parse(rate)));

    [Fact]
    public void ForTokens_OneTokenAtTheSmallestRate_IsExact() => Assert.Equal(0.000000000001m, Money.ForTokens(1, 0.000001m));

    private static decimal Parse(string text) => decimal.Parse(text, CultureInfo.InvariantCulture);
}
