namespace Tollgate.Distillation;

/// <summary>What a review pass would flag: a customer's day, its trailing week, or its share of a group asking the same thing.</summary>
internal sealed record Verdict(DayKey Key, double Score, DistillationSignals Signals, bool OverWeek);

/// <summary>
/// Scores the watched windows as of <c>today</c>: each day (today and yesterday) on its own, the
/// trailing week of each customer active today (a drip under the daily minimum adds up), and
/// groups of customers not flagged on their own who ask the same thing (sybil harvesting),
/// scored as one. Pure: the reviewer decides what is new.
/// </summary>
internal static class WindowScoring
{
    public static List<Verdict> Score(IReadOnlyList<(DayKey Key, DayCounts Counts)> days, DateOnly today, DistillationOptions o)
    {
        var verdicts = new List<Verdict>();
        var yesterday = today.AddDays(-1);
        var weekStart = WeekStart(today, o);
        var flaggedAlone = new HashSet<DayKey>();
        foreach (var (key, counts) in days.Where(d => d.Key.Day >= yesterday))
        {
            var signals = counts.Signals(o.SemanticSimilarity);
            var score = RiskScore.Compute(signals, o);
            if (score < o.FlagScore) continue;
            flaggedAlone.Add(key);
            verdicts.Add(new Verdict(key, score, signals, false));
        }

        // The week ends with the customer's latest day: today, or yesterday in the pass just after midnight.
        foreach (var latest in days.Where(d => d.Key.Day >= yesterday).GroupBy(d => (d.Key.CustomerId, d.Key.ModelId)).Select(g => g.MaxBy(d => d.Key.Day).Key))
        {
            if (flaggedAlone.Contains(latest)) continue;
            var week = days.Where(d => (d.Key.CustomerId, d.Key.ModelId) == (latest.CustomerId, latest.ModelId) && d.Key.Day >= weekStart)
                .Select(d => d.Counts).ToList();
            if (week.Count < 2) continue;
            var signals = DayCounts.Sum(week).Signals(o.SemanticSimilarity, o.WeekDays);
            var score = RiskScore.Compute(signals, o);
            if (score >= o.FlagScore) verdicts.Add(new Verdict(latest, score, signals, true));
        }

        foreach (var group in TemplateSharing.Groups(days.Where(d => d.Key.Day >= yesterday && !flaggedAlone.Contains(d.Key)), o))
        {
            var signals = DayCounts.Sum([.. group.Select(d => d.Counts)]).Signals(o.SemanticSimilarity, 1, group.Count);
            var score = RiskScore.Compute(signals, o);
            if (score >= o.FlagScore) verdicts.AddRange(group.Select(d => new Verdict(d.Key, score, signals, false)));
        }
        return verdicts;
    }

    public static DateOnly WeekStart(DateOnly today, DistillationOptions o) => today.AddDays(1 - Math.Max(1, o.WeekDays));
}
