using System.Globalization;
using Spectre.Console;

namespace Tollgate.Cli;

/// <summary>
/// A series as horizontal bars in the terminal, one line per point: gains green, losses red,
/// each bar scaled to the largest value, drawn to an eighth of a character.
/// </summary>
internal static class SeriesChart
{
    private const int Width = 40;
    private static readonly string[] Eighths = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"];

    /// <summary>Values are dollars unless <paramref name="format"/> says how to show them.</summary>
    public static void Write(IAnsiConsole console, string title, IReadOnlyList<(string Label, decimal Value)> points, Func<decimal, string>? format = null)
    {
        format ??= Cell.Dollars;
        if (points.Count == 0) return;
        var largest = points.Max(p => Math.Abs(p.Value));
        var grid = new Grid().AddColumn(new GridColumn().NoWrap().PadRight(1)).AddColumn(new GridColumn().NoWrap()).AddColumn(new GridColumn().NoWrap().RightAligned());
        foreach (var (label, value) in points)
        {
            var bar = Bar(largest == 0 ? 0 : Math.Abs(value) / largest);
            var colour = value < 0 ? "red" : "green";
            grid.AddRow(Markup.Escape(label), bar.Length == 0 ? "" : $"[{colour}]{bar}[/]", format(value));
        }
        console.Write(new Panel(grid).Header($"[bold]{Markup.Escape(title)}[/]").Border(BoxBorder.Rounded));
    }

    /// <summary>A bar of <paramref name="share"/> (0 to 1) of the full width.</summary>
    public static string Bar(decimal share)
    {
        var eighths = (int)Math.Round(share * Width * 8, MidpointRounding.AwayFromZero);
        return new string('█', eighths / 8) + Eighths[eighths % 8];
    }

    /// <summary>A series from API rows whose values are decimal strings.</summary>
    public static IReadOnlyList<(string Label, decimal Value)> Points<T>(IEnumerable<T> rows, Func<T, string> label, Func<T, string> value) =>
        [.. rows.Select(r => (label(r), decimal.Parse(value(r), NumberStyles.Number, CultureInfo.InvariantCulture)))];
}
