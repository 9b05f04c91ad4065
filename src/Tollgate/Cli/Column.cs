using Spectre.Console;

namespace Tollgate.Cli;

/// <summary>One column of a table: a header and the markup of a row's cell (user text escaped by <see cref="Cell"/>).</summary>
internal sealed record Column<T>(string Header, Func<T, string> Cell, Justify Alignment = Justify.Left, bool NoWrap = false)
{
    /// <summary>Numbers and money line up on the right.</summary>
    public static Column<T> Right(string header, Func<T, string> cell) => new(header, cell, Justify.Right);

    /// <summary>Ids are copied and pasted: never broken across lines.</summary>
    public static Column<T> Id(string header, Func<T, string> id) => new(header, row => Tollgate.Cli.Cell.Id(id(row)), NoWrap: true);
}
