namespace Tollgate.Billing.Economics;

/// <summary>
/// Splits an amount without losing any of it: each share is rounded to ten decimals (as prorated
/// fees are) and the last share takes what rounding left, so the shares always sum to the whole.
/// </summary>
public static class Shares
{
    public const int Decimals = 10;

    /// <summary><paramref name="amount"/> in proportion to <paramref name="weights"/>; all of it to the last when every weight is zero.</summary>
    public static decimal[] Split(decimal amount, IReadOnlyList<decimal> weights)
    {
        ArgumentOutOfRangeException.ThrowIfZero(weights.Count);
        var total = weights.Sum();
        var shares = new decimal[weights.Count];
        var given = 0m;
        for (var i = 0; i < shares.Length - 1; i++)
        {
            shares[i] = total == 0 ? 0 : Math.Round(amount * weights[i] / total, Decimals, MidpointRounding.AwayFromZero);
            given += shares[i];
        }
        shares[^1] = amount - given;
        return shares;
    }

    /// <summary><paramref name="amount"/> spread over the UTC days of [<paramref name="start"/>, <paramref name="end"/>) by the seconds of each.</summary>
    public static IReadOnlyList<(DateOnly Day, decimal Amount)> ByDay(decimal amount, DateTimeOffset start, DateTimeOffset end)
    {
        if (end <= start) return [(DayOf(start), amount)];
        var days = new List<DateOnly>();
        var seconds = new List<decimal>();
        for (var day = start.UtcDateTime.Date; day < end.UtcDateTime; day = day.AddDays(1))
        {
            var from = day < start.UtcDateTime ? start.UtcDateTime : day;
            var to = day.AddDays(1) > end.UtcDateTime ? end.UtcDateTime : day.AddDays(1);
            days.Add(DateOnly.FromDateTime(day));
            seconds.Add((decimal)(to - from).Ticks / TimeSpan.TicksPerSecond);
        }
        var shares = Split(amount, seconds);
        return [.. days.Select((d, i) => (d, shares[i]))];
    }

    public static DateOnly DayOf(DateTimeOffset at) => DateOnly.FromDateTime(at.UtcDateTime);
}
