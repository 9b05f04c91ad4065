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
    [InlineData("0", "0")]
    [InlineData("15", "15")]
    [InlineData("-3", "-3")]
    [InlineData("1.5", "1.5")]
    [InlineData("-0.000001", "-0.000001")]
    [InlineData("007.50", "7.5")]
    [InlineData("79228162514264337593543950335", "79228162514264337593543950335")]
    public void TryParse_TheOneGrammar_ReadsTheAmount(string text, string expected)
    {
        Assert.True(Money.TryParse(text, out var amount));
        Assert.Equal(Parse(expected), amount);
        Assert.Equal(Parse(expected), Money.Parse(text));
    }

    /// <summary>Commas, spaces, exponents, signs other than a leading minus, group separators, other digits: none is money.</summary>
    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("1,5")]
    [InlineData("1,0,0")]
    [InlineData("1,000")]
    [InlineData("1,000.50")]
    [InlineData("1 000")]
    [InlineData(" 1")]
    [InlineData("1 ")]
    [InlineData("\t1")]
    [InlineData("1e3")]
    [InlineData("1E-2")]
    [InlineData("+1")]
    [InlineData("--1")]
    [InlineData("-")]
    [InlineData("1-")]
    [InlineData("(1)")]
    [InlineData(".5")]
    [InlineData("5.")]
    [InlineData("-.5")]
    [InlineData("1.2.3")]
    [InlineData("1_000")]
    [InlineData("$1")]
    [InlineData("0x10")]
    [InlineData("NaN")]
    [InlineData("Infinity")]
    [InlineData("١٢")]
    [InlineData("１２")]
    [InlineData("1\u00a0000")]
    [InlineData("79228162514264337593543950336")]
    public void TryParse_HostileText_IsRefused(string? text)
    {
        Assert.False(Money.TryParse(text, out var amount));
        Assert.Equal(0m, amount);
        if (text is not null) Assert.Throws<FormatException>(() => Money.Parse(text));
    }

    [Fact]
    public void TryAdd_BeyondTheDecimalRange_IsFalseNotAnException()
    {
        Assert.False(Money.TryAdd(decimal.MaxValue, 1m, out _));
        Assert.False(Money.TryAdd(decimal.MinValue, -1m, out _));
        Assert.True(Money.TryAdd(decimal.MaxValue, -1m, out var sum));
        Assert.Equal(decimal.MaxValue - 1m, sum);
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
