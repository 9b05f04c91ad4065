using Tollgate.Billing;

namespace Tollgate.Admin;

/// <summary>Reads an optional money limit: absent keeps the current value, an empty string removes it.</summary>
internal static class MoneyField
{
    public static bool TryRead(string? text, decimal? current, string param, decimal max, out decimal? value, out ApiErrorResult? error)
    {
        error = null;
        value = current;
        if (text is null) return true;
        if (text.Length == 0)
        {
            value = null;
            return true;
        }
        if (Money.TryParse(text, out var amount) && amount >= 0 && decimal.Round(amount, 12) == amount && amount <= max)
        {
            value = amount;
            return true;
        }
        error = ApiErrorResult.Invalid($"'{param}' must be a non-negative decimal string of dollars{MoneyBounds.AtMost(max)}, or an empty string to remove it.", param);
        return false;
    }

    public static string? Format(decimal? amount) => amount is { } a ? Money.Format(a) : null;
}
