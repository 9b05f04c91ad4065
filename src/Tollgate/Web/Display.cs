using System.Globalization;

namespace Tollgate.Web;

/// <summary>How the pages write money and times: exact dollars (never rounded away below a cent) and UTC.</summary>
internal static class Display
{
    public static string Money(decimal amount) =>
        (amount < 0 ? "-$" : "$") + Billing.Money.Format(Math.Abs(decimal.Round(amount, 6, MidpointRounding.AwayFromZero)));

    public static string Money(decimal? amount, string none = "—") => amount is { } a ? Money(a) : none;

    public static string Time(DateTimeOffset? at) => at is { } t ? t.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture) : "—";
}
