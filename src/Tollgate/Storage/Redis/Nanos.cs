using System.Globalization;

namespace Tollgate.Storage.Redis;

/// <summary>
/// Money in Redis as whole nanodollars: Lua's numbers are doubles, exact for integers up to 2^53
/// (about $9 million per account). Amounts are rounded the safe way — what is held or charged up,
/// what is available down — so Redis never shows more headroom than the exact ledger has.
/// </summary>
internal static class Nanos
{
    private const decimal PerDollar = 1_000_000_000m;

    /// <summary>
    /// The largest ceiling the scripts check exactly (below 2^53 nanodollars with room for the balance beside it).
    /// A larger credit limit or budget is held to this one: refused early, never treated as no ceiling at all.
    /// </summary>
    public const decimal MaxExact = 4_000_000m;

    public static long Up(decimal amount) => (long)decimal.Ceiling(amount * PerDollar);

    public static long Down(decimal amount) => (long)decimal.Floor(amount * PerDollar);

    public static decimal ToDollars(long nanos) => nanos / PerDollar;

    public static string Text(long nanos) => nanos.ToString(CultureInfo.InvariantCulture);

    /// <summary>A ceiling as the scripts take it: whole nanodollars rounded down (at most <see cref="MaxExact"/>), or empty for none.</summary>
    public static string Ceiling(decimal? ceiling) => ceiling is { } c ? Text(Down(Math.Min(c, MaxExact))) : "";
}
