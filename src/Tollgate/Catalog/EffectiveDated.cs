namespace Tollgate.Catalog;

/// <summary>Picks the version of an effective-dated list in force at a moment.</summary>
internal static class EffectiveDated
{
    /// <summary>The last item whose start is at or before <paramref name="at"/>; the list is sorted by start.</summary>
    public static T? At<T>(IReadOnlyList<T> sortedByStart, DateTimeOffset at, Func<T, DateTimeOffset> start)
        where T : class
    {
        for (var i = sortedByStart.Count - 1; i >= 0; i--)
        {
            if (start(sortedByStart[i]) <= at) return sortedByStart[i];
        }
        return null;
    }
}
