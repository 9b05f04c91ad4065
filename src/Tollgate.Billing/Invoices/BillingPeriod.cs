using System.Globalization;

namespace Tollgate.Billing.Invoices;

/// <summary>A UTC calendar month: the period of budgets, invoices and reconciliation. Written <c>YYYY-MM</c>.</summary>
public readonly record struct BillingPeriod : IComparable<BillingPeriod>
{
    public BillingPeriod(int year, int month)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(year, 1970);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(year, 9998);
        ArgumentOutOfRangeException.ThrowIfLessThan(month, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(month, 12);
        Year = year;
        Month = month;
    }

    public int Year { get; }

    public int Month { get; }

    public DateTimeOffset Start => new(Year, Month, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>The first instant after the period (exclusive end).</summary>
    public DateTimeOffset End => Start.AddMonths(1);

    public BillingPeriod Next => Month == 12 ? new(Year + 1, 1) : new(Year, Month + 1);

    public BillingPeriod Previous => Month == 1 ? new(Year - 1, 12) : new(Year, Month - 1);

    public static BillingPeriod Of(DateTimeOffset at)
    {
        var utc = at.ToUniversalTime();
        return new BillingPeriod(utc.Year, utc.Month);
    }

    public bool Contains(DateTimeOffset at) => at >= Start && at < End;

    public static bool TryParse(string? text, out BillingPeriod period)
    {
        period = default;
        if (text is not { Length: 7 } || text[4] != '-') return false;
        if (!int.TryParse(text.AsSpan(0, 4), NumberStyles.None, CultureInfo.InvariantCulture, out var year)
            || !int.TryParse(text.AsSpan(5, 2), NumberStyles.None, CultureInfo.InvariantCulture, out var month)
            || year is < 1970 or > 9998 || month is < 1 or > 12)
            return false;
        period = new BillingPeriod(year, month);
        return true;
    }

    public static BillingPeriod Parse(string text) =>
        TryParse(text, out var period) ? period : throw new FormatException($"'{text}' is not a period of the form YYYY-MM.");

    public int CompareTo(BillingPeriod other) => (Year * 12 + Month).CompareTo(other.Year * 12 + other.Month);

    public static bool operator <(BillingPeriod left, BillingPeriod right) => left.CompareTo(right) < 0;

    public static bool operator >(BillingPeriod left, BillingPeriod right) => left.CompareTo(right) > 0;

    public static bool operator <=(BillingPeriod left, BillingPeriod right) => left.CompareTo(right) <= 0;

    public static bool operator >=(BillingPeriod left, BillingPeriod right) => left.CompareTo(right) >= 0;

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Year:D4}-{Month:D2}");
}
