namespace Tollgate.Distillation;

/// <summary>
/// Finds customers asking one gated model the same thing on the same day: two customers are
/// linked when most of each one's sampled turns have a close match among the other's, and a
/// group is a connected set of at least two. Honest customers of one popular app share a system
/// prompt, which is not compared; their users' turns differ.
/// </summary>
internal static class TemplateSharing
{
    public static List<List<(DayKey Key, DayCounts Counts)>> Groups(IEnumerable<(DayKey Key, DayCounts Counts)> days, DistillationOptions o)
    {
        var groups = new List<List<(DayKey, DayCounts)>>();
        foreach (var sameModelDay in days.Where(d => d.Counts.Meanings.Count >= DayCounts.MinMeanings).GroupBy(d => (d.Key.ModelId, d.Key.Day)))
        {
            var members = sameModelDay.ToList();
            var group = Enumerable.Range(0, members.Count).ToArray();
            for (var a = 0; a < members.Count; a++)
            {
                for (var b = a + 1; b < members.Count; b++)
                {
                    if (Find(group, a) != Find(group, b) && Linked(members[a].Counts, members[b].Counts, o)) group[Find(group, a)] = Find(group, b);
                }
            }
            groups.AddRange(Enumerable.Range(0, members.Count).GroupBy(i => Find(group, i)).Where(g => g.Count() >= 2)
                .Select(g => g.Select(i => members[i]).ToList()));
        }
        return groups;
    }

    private static bool Linked(DayCounts a, DayCounts b, DistillationOptions o) =>
        MeaningSketch.MatchedShare(a.Meanings, b.Meanings, o.SemanticSimilarity) >= o.SharedTemplateShare
        && MeaningSketch.MatchedShare(b.Meanings, a.Meanings, o.SemanticSimilarity) >= o.SharedTemplateShare;

    private static int Find(int[] parent, int i)
    {
        while (parent[i] != i) i = parent[i] = parent[parent[i]];
        return i;
    }
}
