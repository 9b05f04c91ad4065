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

    public static decimal Parse(string text) => decimal.Parse(text, NumberStyles.Number, CultureInfo.InvariantCulture);

    public static bool TryParse(string? text, out decimal amount) =>
        decimal.TryParse(text, NumberStyles.Number, CultureInfo.InvariantCulture, out amount);

    /// <summary>The price of <paramref name="tokens"/> at <paramref name="perMillion"/> dollars per million tokens.</summary>
    public static decimal ForTokens(long tokens, decimal perMillion) => tokens * perMillion / TokensPerPriceUnit;

    /// <summary>Price-card rates carry at most six decimals and are never negative.</summary>
    public static bool IsValidRate(decimal rate) => rate >= 0 && decimal.Round(rate, 6) == rate;
}
