namespace Tollgate.Storage;

/// <summary>Cursor paging as Stripe does it: up to <see cref="Limit"/> items after the item with id <see cref="StartingAfter"/>.</summary>
internal sealed record Page(int Limit = 20, string? StartingAfter = null)
{
    public const int MaxLimit = 100;
}

internal sealed record PageOf<T>(IReadOnlyList<T> Items, bool HasMore)
{
    /// <summary>Builds a page from a query that fetched one item more than the limit, to learn whether more exist.</summary>
    public static PageOf<T> FromOverfetch(List<T> fetched, int limit) =>
        new(fetched.Count > limit ? fetched.GetRange(0, limit) : fetched, fetched.Count > limit);
}
