using System.Globalization;
using Spectre.Console;

namespace Tollgate.Cli;

/// <summary>
/// How values look in tables: user text escaped (a name may contain Spectre markup like "[red]"),
/// absent values dim, times in UTC to the second, states in colour.
/// </summary>
internal static class Cell
{
    public const string None = "[dim]-[/]";

    public static string Text(string? value) => string.IsNullOrEmpty(value) ? None : Markup.Escape(value);

    public static string Id(string value) => $"[cyan]{Markup.Escape(value)}[/]";

    public static string Time(DateTimeOffset? value) =>
        value is { } time ? time.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture) : None;

    public static string Number(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>Money stays the API's decimal string: no rounding, no float.</summary>
    public static string Money(string? value) => value switch
    {
        null => None,
        ['-', .. var amount] => "-$" + Markup.Escape(amount),
        _ => "$" + Markup.Escape(value),
    };

    /// <summary>Report figures rounded to cents for reading (half away from zero); <c>--json</c> keeps every decimal.</summary>
    public static string Dollars(string? value) =>
        value is null ? None : Dollars(decimal.Parse(value, NumberStyles.Number, CultureInfo.InvariantCulture));

    public static string Dollars(decimal value)
    {
        var cents = Billing.Money.ToCents(value);
        var text = Math.Abs(cents).ToString("#,0.00", CultureInfo.InvariantCulture);
        return cents < 0 ? $"[red]-${text}[/]" : "$" + text;
    }

    public static string Percent(string? value) => value is null ? None : value + "%";

    public static string List(IEnumerable<string>? values, string whenAbsent) =>
        values is null ? $"[dim]{Markup.Escape(whenAbsent)}[/]" : Markup.Escape(string.Join(", ", values));

    public static string Status(string status) => status switch
    {
        "active" => "[green]active[/]",
        "expired" => "[yellow]expired[/]",
        "revoked" => "[red]revoked[/]",
        "draft" => "[yellow]draft[/]",
        "finalized" => "[blue]finalized[/]",
        "paid" or "succeeded" => $"[green]{status}[/]",
        "void" or "failed" => $"[red]{status}[/]",
        _ => Markup.Escape(status),
    };

    public static string YesNo(bool value, string yes = "yes", string no = "no") => value ? $"[green]{yes}[/]" : $"[red]{no}[/]";
}
