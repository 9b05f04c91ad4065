using Tollgate.Storage;

namespace Tollgate.Admin;

/// <summary>Reads <c>limit</c> and <c>starting_after</c> the same way on every list.</summary>
internal static class Paging
{
    public static bool TryRead(int? limit, string? startingAfter, out Page page, out ApiErrorResult? error)
    {
        page = new Page(limit ?? 20, string.IsNullOrEmpty(startingAfter) ? null : startingAfter);
        error = page.Limit is < 1 or > Page.MaxLimit ? ApiErrorResult.Invalid($"'limit' must be from 1 to {Page.MaxLimit}.", "limit") : null;
        return error is null;
    }
}
