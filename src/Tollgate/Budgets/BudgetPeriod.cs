namespace Tollgate.Budgets;

/// <summary>Stored as text (for budgets); names frozen by a test.</summary>
internal enum BudgetPeriod
{
    /// <summary>Not a budget: a wallet's funds plus credit limit.</summary>
    Wallet,
    Monthly,
    Lifetime,
}

/// <summary>Periods are UTC calendar months.</summary>
internal static class BudgetPeriods
{
    public static DateTimeOffset MonthStart(DateTimeOffset at)
    {
        var utc = at.ToUniversalTime();
        return new DateTimeOffset(utc.Year, utc.Month, 1, 0, 0, 0, TimeSpan.Zero);
    }

    public static DateTimeOffset NextMonth(DateTimeOffset at) => MonthStart(at).AddMonths(1);
}
