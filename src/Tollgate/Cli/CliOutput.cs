using System.Text.Json.Serialization.Metadata;
using Spectre.Console;

namespace Tollgate.Cli;

/// <summary>
/// Where verbs put results: with <c>--json</c> the API's JSON exactly as it came, otherwise
/// tables and panels. Verbs say what to show; this decides how.
/// </summary>
internal sealed class CliOutput(IAnsiConsole console, bool json)
{
    public bool Json { get; } = json;

    /// <summary>The answer as is for scripts, else <paramref name="render"/> with its typed reading.</summary>
    public void Result<T>(ApiResponse response, JsonTypeInfo<T> type, Action<T> render)
    {
        if (Json) Raw(response);
        else render(response.Read(type));
    }

    /// <summary>A document the verb computed itself: as JSON for scripts (the API's shape), else <paramref name="render"/>.</summary>
    public void Document<T>(T document, JsonTypeInfo<T> type, Action<T> render)
    {
        if (Json) console.Profile.Out.Writer.WriteLine(System.Text.Json.JsonSerializer.Serialize(document, type));
        else render(document);
    }

    /// <summary>A series as a bar chart (see <see cref="SeriesChart"/>).</summary>
    public void Chart(string title, IReadOnlyList<(string Label, decimal Value)> points, bool counts = false) =>
        SeriesChart.Write(console, title, points, counts ? (Func<decimal, string>)(v => Cell.Number((long)v)) : null);

    /// <summary>A page of a list, and how to fetch the next one when there is more.</summary>
    public void List<T>(ApiResponse response, JsonTypeInfo<ApiList<T>> type, IReadOnlyList<Column<T>> columns, Func<T, string> cursor, string noun) =>
        Result(response, type, page =>
        {
            if (page.Data.Count == 0)
            {
                console.MarkupLine($"[dim]No {noun}.[/]");
                return;
            }
            Table(page.Data, columns);
            if (page.HasMore)
                console.MarkupLine($"[dim]More {noun}: run the same command with[/] --starting-after {Markup.Escape(cursor(page.Data[^1]))}");
        });

    public void Table<T>(IEnumerable<T> rows, IReadOnlyList<Column<T>> columns, string? title = null)
    {
        var table = new Table().Border(TableBorder.Rounded);
        if (title is not null) table.Title($"[bold]{Markup.Escape(title)}[/]");
        foreach (var column in columns)
            table.AddColumn(new TableColumn($"[bold]{Markup.Escape(column.Header)}[/]") { Alignment = column.Alignment, NoWrap = column.NoWrap });
        foreach (var row in rows)
            table.AddRow([.. columns.Select(c => c.Cell(row))]);
        console.Write(table);
    }

    /// <summary>One resource as label/value lines; values are markup (see <see cref="Cell"/>).</summary>
    public void Details(string title, params (string Label, string Value)[] rows)
    {
        var grid = new Grid().AddColumn(new GridColumn().NoWrap().PadRight(2)).AddColumn();
        foreach (var (label, value) in rows)
            grid.AddRow($"[bold]{Markup.Escape(label)}[/]", value);
        console.Write(new Panel(grid).Header($"[bold]{Markup.Escape(title)}[/]").Border(BoxBorder.Rounded));
    }

    /// <summary>A secret the server will never show again: hard to miss, easy to copy (on a line of its own).</summary>
    public void Secret(string what, string secret)
    {
        var body = new Rows(
            new Markup($"[bold yellow]{Markup.Escape(secret)}[/]"),
            new Text(""),
            new Markup($"[yellow]This {Markup.Escape(what)} is shown only now.[/] Tollgate keeps only a hash of it: store it somewhere safe before closing this window."));
        console.Write(new Panel(body).Header("[bold yellow] Shown once [/]").Border(BoxBorder.Heavy).BorderColor(Color.Yellow));
    }

    /// <summary>
    /// A progress bar while <paramref name="work"/> runs; it reports (done, total) as it learns them.
    /// With <c>--json</c> there is no bar: standard output carries only the final document. Where
    /// no bar can be drawn (a pipe, a cron log) a line is written at each tenth of the way instead.
    /// </summary>
    public async Task<T> Progress<T>(string description, string noun, Func<Action<int, int>, Task<T>> work)
    {
        if (Json) return await work((_, _) => { });
        if (!console.Profile.Capabilities.Interactive)
        {
            var shown = -1;
            return await work((done, total) =>
            {
                var tenth = total == 0 ? 10 : done * 10 / total;
                if (tenth == shown) return;
                shown = tenth;
                console.MarkupLine($"[dim]{Markup.Escape(description)}: {done:N0} of {total:N0} {Markup.Escape(noun)}[/]");
            });
        }
        return await console.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask(Markup.Escape(description), maxValue: 1);
                var result = await work((done, total) =>
                {
                    task.MaxValue = Math.Max(total, 1);
                    task.Value = done;
                    // Drawn now, not at the next refresh tick: every step the server reported is shown, however fast they come.
                    context.Refresh();
                });
                // An empty run (no customers) has nothing to count: the bar still ends full.
                task.Value = task.MaxValue;
                return result;
            });
    }

    /// <summary>Text the verb made itself (an export sent to standard output), written as is.</summary>
    public void Text(string text) => console.Profile.Out.Writer.Write(text);

    public void Success(string message) => console.MarkupLine($"[green]✓[/] {Markup.Escape(message)}");

    public void Note(string message) => console.MarkupLine($"[dim]{Markup.Escape(message)}[/]");

    private void Raw(ApiResponse response) => console.Profile.Out.Writer.WriteLine(response.Json);

    /// <summary>How every failure looks, on the error stream: what went wrong, the field, what to do.</summary>
    public static void Failure(IAnsiConsole error, CliFailure failure)
    {
        error.MarkupLine($"[red]tollgate: {Markup.Escape(failure.Message)}[/]");
        if (failure.Param is not null) error.MarkupLine($"  [bold]param:[/] {Markup.Escape(failure.Param)}");
        if (failure.Hint is not null) error.MarkupLine($"  {Markup.Escape(failure.Hint)}");
    }
}
