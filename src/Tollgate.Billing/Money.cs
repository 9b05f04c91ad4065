using System.Globalization;

namespace Tollgate.Billing;

/// <summary>
/// Money is USD held in <see cref="decimal"/> at full precision; rounding to cents happens
/// only when an invoice line is finalized.
/// </summary>
public static class Money
{
    public const decimal TokensPerPriceUnit = 1_000_000m;

    /// <summary>Rounds to cents, half away from zero (the invoice rule).</summary>
    public static decimal ToCents(decimal amount) => Math.Round(amount, 2, MidpointRounding.AwayFromZero);

    /// <summary>Invariant, trailing-zero-free text: the form used in storage and JSON strings.</summary>
    public static string Format(decimal amount) => amount.ToString("0.############################", CultureInfo.InvariantCulture);

    /// <summary>For people: at least cents ("1.00", "0.004"), every significant digit kept.</summary>
    public static string Display(decimal amount) => amount.ToString("0.00##########################", CultureInfo.InvariantCulture);

    /// <summary>Reads money text of the one grammar (see <see cref="TryParse"/>); anything else is a <see cref="FormatException"/>.</summary>
    public static decimal Parse(string text) =>
        TryParse(text, out var amount) ? amount : throw new FormatException($"'{(text.Length <= 40 ? text : text[..40] + "…")}' is not an amount of money.");

    /// <summary>
    /// The one grammar for money text: an optional minus, digits, then optionally a point and digits
    /// ("12", "-0.5"), read in the invariant culture. No sign '+', spaces, exponents, group
    /// separators or commas: "1,5" must not become 15. False too when the value overflows a decimal.
    /// </summary>
    public static bool TryParse(string? text, out decimal amount)
    {
        amount = 0;
        if (!IsMoneyText(text)) return false;
        return decimal.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out amount);
    }

    private static bool IsMoneyText(string? text)
    {
        if (string.IsNullOrEmpty(text)) return false;
        var i = text[0] == '-' ? 1 : 0;
        var start = i;
        while (i < text.Length && char.IsAsciiDigit(text[i])) i++;
        if (i == start) return false;
        if (i == text.Length) return true;
        if (text[i] != '.') return false;
        var fraction = ++i;
        while (i < text.Length && char.IsAsciiDigit(text[i])) i++;
        return i > fraction && i == text.Length;
    }

    /// <summary>A sum that cannot overflow silently or throw: false when it leaves the decimal range.</summary>
    public static bool TryAdd(decimal a, decimal b, out decimal sum)
    {
        try
        {
            sum = a + b;
            return true;
        }
        catch (OverflowException)
        {
            sum = 0;
            return false;
        }
    }

    /// <summary>The price of <paramref name="tokens"/> at <paramref name="perMillion"/> dollars per million tokens.</summary>
    public static decimal ForTokens(long tokens, decimal perMillion) => tokens * perMillion / TokensPerPriceUnit;

    /// <summary>Price-card rates carry at most six decimals and are never negative.</summary>
    public static bool IsValidRate(decimal rate) => rate >= 0 && decimal.Round(rate, 6) == rate;
}
