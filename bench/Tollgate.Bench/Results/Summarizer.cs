using HdrHistogram;

namespace Tollgate.Bench.Results;

/// <summary>Folds the rounds of each target, scenario and load shape into one line, and compares Tollgate with the others.</summary>
internal static class Summarizer
{
    public static List<Summary> Summarize(IReadOnlyList<CellOutcome> cells)
    {
        var summaries = new List<Summary>();
        foreach (var group in cells.GroupBy(c => (c.Measurement.Target, c.Measurement.Scenario, c.Measurement.Shape)))
        {
            var rounds = group.Select(c => c.Measurement).ToList();
            Percentiles latency;
            if (group.All(c => c.Latency is not null))
            {
                var merged = new LongHistogram(group.First().Latency!.HighestTrackableValue, 3);
                foreach (var cell in group) merged.Add(cell.Latency!);
                latency = Percentiles.FromHistogram(merged);
            }
            else
            {
                latency = Percentiles.Mean([.. rounds.Select(r => r.Latency)]);
            }
            var cpu = rounds.Where(r => r.TargetCpuUsPerRequest is not null).Select(r => r.TargetCpuUsPerRequest!.Value).ToList();
            var notSent = rounds.Sum(r => r.NotSent);
            summaries.Add(new Summary(group.Key.Target, group.Key.Scenario, group.Key.Shape, rounds.Count,
                rounds.Average(r => r.RequestsPerSecond), rounds.Min(r => r.RequestsPerSecond), rounds.Max(r => r.RequestsPerSecond),
                latency, cpu.Count > 0 ? cpu.Average() : null, rounds.Average(r => r.MachineBusyPercent), rounds.Average(r => r.OtherLoadPercent), rounds.Sum(r => r.Errors), notSent,
                Saturated: notSent > 0, rounds.Max(r => r.TargetPeakRssMiB)));
        }
        return summaries;
    }

    /// <summary>Tollgate minus direct and minus YARP, wherever both were measured.</summary>
    public static List<AddedLatency> Added(IReadOnlyList<Summary> summaries)
    {
        var added = new List<AddedLatency>();
        foreach (var tollgate in summaries.Where(s => s.Target == "tollgate"))
        {
            foreach (var over in (string[])["direct", "yarp"])
            {
                var baseline = summaries.FirstOrDefault(s => s.Target == over && s.Scenario == tollgate.Scenario && s.Shape == tollgate.Shape);
                if (baseline is not null) added.Add(new AddedLatency(tollgate.Scenario, tollgate.Shape, over, tollgate.Latency.Minus(baseline.Latency)));
            }
        }
        return added;
    }
}
