using System.CommandLine;
using Tollgate.Storage;

namespace Tollgate.Cli;

/// <summary><c>--limit</c> and <c>--starting-after</c>, read into the API's <c>limit</c> and <c>starting_after</c> the same way on every list.</summary>
internal sealed class PageOptions(string cursor, int defaultLimit, int maxLimit)
{
    public Option<int?> Limit { get; } = new("--limit") { Description = $"At most this many per page (1 to {maxLimit}; default {defaultLimit})." };

    public Option<string> StartingAfter { get; } = new("--starting-after") { Description = $"The next page: the {cursor} of the last row shown." };

    public Symbol[] Symbols => [Limit, StartingAfter];

    public Query Query(VerbCall call) => new Query().Add("limit", call.Get(Limit)).Add("starting_after", call.Get(StartingAfter));

    /// <summary>Paging for the lists that use the admin API's common page.</summary>
    public static PageOptions Standard(string cursor) => new(cursor, new Page().Limit, Page.MaxLimit);
}
