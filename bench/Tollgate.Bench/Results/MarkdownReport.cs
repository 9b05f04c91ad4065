using System.Globalization;
using System.Text;

namespace Tollgate.Bench.Results;

/// <summary>The run as Markdown tables: what <c>results.md</c> holds and the console shows at the end.</summary>
internal static class MarkdownReport
{
    public static string Write(BenchReport report)
    {
        var md = new StringBuilder();
        var m = report.Machine;
        var s = report.Settings;
        md.AppendLine(Invariant($"Run of {report.StartedAt:yyyy-MM-dd HH:mm} UTC, {report.TotalSeconds / 60:0.0} min in all."));
        md.AppendLine();
        md.AppendLine(Invariant($"- Machine: {m.Cores} cores ({m.CpuModel}), {m.MemoryGiB} GiB, Linux {m.Kernel}; {m.Dotnet}; Node.js {m.Node ?? "absent"}; {m.Wrk ?? "wrk absent"}."));
        md.AppendLine(Invariant($"- Tollgate {m.TollgateCommit ?? "(commit unknown)"}; Portkey {m.Portkey ?? "not measured"}."));
        md.AppendLine(Invariant($"- {s.Rounds} round(s) of {s.DurationSeconds:0.#} s per target and load shape after {s.WarmupSeconds:0.#} s of warm-up; closed loop: {s.ClosedLoopGenerator}, {s.Connections} connections; open loop: built-in, up to {s.OpenConnections} connections."));
        md.AppendLine("- Latency: closed loop, from send to last byte as the generator saw it; open loop, from each request's due time (so queueing behind a stall counts). "
            + "CPU µs/req: CPU time of the target's own processes (the mock's for direct) per successful response (per refusal in chat-refused). "
            + "Peak RSS: the target's largest process, highest so far (VmHWM). Machine busy: all cores. "
            + "Other load: share of all cores used by processes this run did not start.");
        md.AppendLine();

        foreach (var (scenario, shape) in report.Summaries.Select(x => (x.Scenario, x.Shape)).Distinct())
        {
            Table(md, $"{scenario}, {shape}",
                ["target", "req/s (min–max)", "p50 ms", "p90 ms", "p99 ms", "p99.9 ms", "max ms", "CPU µs/req", "peak RSS MiB", "machine busy", "other load", "errors"],
                report.Summaries.Where(x => x.Scenario == scenario && x.Shape == shape).Select(x => Invariant(
                    $"| {(x.Saturated ? $"{x.Target} (fell behind: {x.NotSent:N0} never sent)" : x.Target)} | {x.RequestsPerSecond:N0} ({x.MinRequestsPerSecond:N0}–{x.MaxRequestsPerSecond:N0}) | {x.Latency.P50:0.00} | {x.Latency.P90:0.00} | {x.Latency.P99:0.00} | {x.Latency.P999:0.00} | {x.Latency.Max:0.0} | {x.TargetCpuUsPerRequest:0} | {x.PeakRssMiB:0} | {x.MachineBusyPercent:0}% | {x.OtherLoadPercent:0}% | {x.Errors:N0} |")));
        }

        Table(md, "Tollgate's added latency (Tollgate minus the other, same load)",
            ["scenario", "load", "over", "p50 ms", "p90 ms", "p99 ms", "p99.9 ms"],
            report.AddedLatency.Select(a => Invariant(
                $"| {a.Scenario} | {a.Shape} | {a.Over} | {a.Added.P50:+0.00;-0.00} | {a.Added.P90:+0.00;-0.00} | {a.Added.P99:+0.00;-0.00} | {a.Added.P999:+0.00;-0.00} |")));
        Table(md, "Closed-loop throughput ratios", ["scenario", "Tollgate ÷ direct", "Tollgate ÷ YARP", "Tollgate ÷ Portkey"], Ratios(report.Summaries));
        Table(md, "Usage events stored by Tollgate against successful responses",
            ["model", "successful responses", "usage events", "allowed extra (in flight when wrk stopped)", "verdict"],
            report.UsageChecks.Select(u => Invariant(
                $"| {u.Model} | {u.OkResponses:N0} | {u.Events:N0} | {u.InFlightAllowance:N0} | {(u.Pass ? "no event lost" : "MISMATCH")} |")));
        Table(md, "Processes", ["process", "peak RSS MiB", "CPU s over the run"],
            report.Processes.Select(p => Invariant($"| {p.Process} | {p.PeakRssMiB:0} | {p.CpuSeconds:0.0} |")));
        foreach (var note in report.Notes) md.AppendLine($"- {note}");
        return md.ToString();
    }

    /// <summary>A titled table; the first column left-aligned, numbers right-aligned. Nothing when there are no rows.</summary>
    private static void Table(StringBuilder md, string title, string[] columns, IEnumerable<string> rows)
    {
        var lines = rows.ToList();
        if (lines.Count == 0) return;
        md.AppendLine($"### {title}").AppendLine();
        md.AppendLine($"| {string.Join(" | ", columns)} |");
        md.AppendLine($"|---|{string.Concat(Enumerable.Repeat("---:|", columns.Length - 1))}");
        foreach (var line in lines) md.AppendLine(line);
        md.AppendLine();
    }

    private static IEnumerable<string> Ratios(IReadOnlyList<Summary> summaries)
    {
        foreach (var tollgate in summaries.Where(x => x.Target == "tollgate" && x.Shape.StartsWith("closed", StringComparison.Ordinal)))
        {
            string Ratio(string other) =>
                summaries.FirstOrDefault(x => x.Target == other && x.Scenario == tollgate.Scenario && x.Shape == tollgate.Shape) is { RequestsPerSecond: > 0 } baseline
                    ? Invariant($"{tollgate.RequestsPerSecond / baseline.RequestsPerSecond:0.00}×")
                    : "–";
            yield return $"| {tollgate.Scenario} | {Ratio("direct")} | {Ratio("yarp")} | {Ratio("portkey")} |";
        }
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
