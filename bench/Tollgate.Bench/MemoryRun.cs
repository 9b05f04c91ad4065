using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Tollgate.Bench.Hosting;
using Tollgate.Bench.Load;
using Tollgate.Bench.Results;
using Tollgate.Bench.Targets;

namespace Tollgate.Bench;

/// <summary>Resident memory of Tollgate after a number of requests: where it stood after each stretch of load.</summary>
internal sealed record MemorySample(long Requests, double Seconds, double RssMiB, double PeakRssMiB);

internal sealed record MemoryReport(
    DateTimeOffset StartedAt, double TotalSeconds, MachineInfo Machine, long RequestsAsked, int Keys, int Connections, long Ok, long Errors,
    double LoadSeconds, double PeakRssMiB, IReadOnlyList<MemorySample> Samples, UsageCheck Usage, IReadOnlyList<string> Notes, string LoadAverageBefore, string LoadAverageAfter);

/// <summary>
/// Memory mode: Tollgate alone, a closed loop over all the seeded keys (each request the next
/// key, so every key's and customer's state is touched) until the asked number of successful
/// responses, in stretches of 10 s with the resident memory read after each; then the peak
/// (VmHWM) and the usage check.
/// </summary>
internal sealed class MemoryRun(TollgateServer tollgate, long requests, int connections)
{
    public static readonly Scenario Scenario = Scenario.ChatKeys;

    public static readonly LoadShape Shape = LoadShape.Closed(32);

    private static readonly TimeSpan Stretch = TimeSpan.FromSeconds(10);

    public async Task<MemoryReport> RunAsync(CancellationToken cancellationToken)
    {
        var startedAt = DateTimeOffset.UtcNow;
        var loadBefore = LoadAverage();
        var target = tollgate.AsTarget();
        var samples = new List<MemorySample>();
        long ok = 0, errors = 0;
        var clock = Stopwatch.StartNew();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Memory mode: {requests:N0} requests over {tollgate.ManyKeys.Count:N0} keys, {connections} connections…"));
        while (ok < requests && !cancellationToken.IsCancellationRequested)
        {
            // The last stretch is cut to what is left at the rate so far, so the run ends near the count asked.
            var rate = ok > 0 ? ok / clock.Elapsed.TotalSeconds : 0;
            var stretch = rate > 0 ? TimeSpan.FromSeconds(Math.Clamp((requests - ok) / rate, 0.5, Stretch.TotalSeconds)) : Stretch;
            var run = await ClosedLoopGenerator.RunAsync(CellRunner.Plan(target, Scenario, Shape, connections, TimeSpan.Zero, stretch), cancellationToken);
            ok += run.Stats.Ok;
            errors += run.Stats.Errors;
            var sample = new MemorySample(ok, clock.Elapsed.TotalSeconds, ProcStats.RssMiB(tollgate.Process.Pid), ProcStats.PeakRssMiB(tollgate.Process.Pid));
            samples.Add(sample);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {sample.Requests,10:N0} requests  {sample.Seconds,6:0} s  RSS {sample.RssMiB,6:0} MiB  peak {sample.PeakRssMiB,6:0} MiB  errors {errors}"));
        }
        var loadSeconds = clock.Elapsed.TotalSeconds;
        var counts = await UsageVerifier.CheckAsync(tollgate, new Dictionary<string, (long, long)> { [tollgate.ModelFor(Scenario, Shape)] = (ok, 0) }, startedAt, cancellationToken);
        return new MemoryReport(startedAt, 0, null!, requests, tollgate.ManyKeys.Count, connections, ok, errors, loadSeconds,
            ProcStats.PeakRssMiB(tollgate.Process.Pid), samples, counts[0], [], loadBefore, LoadAverage());
    }

    public static async Task<int> WriteAsync(MemoryReport memory, DateTimeOffset startedAt, TimeSpan total, MachineInfo machine, IReadOnlyList<string> notes,
        string outputDir, CancellationToken cancellationToken)
    {
        var report = memory with { StartedAt = startedAt, TotalSeconds = total.TotalSeconds, Machine = machine, Notes = notes };
        await File.WriteAllTextAsync(Path.Combine(outputDir, "memory.json"), JsonSerializer.Serialize(report, BenchJson.Default.MemoryReport), cancellationToken);
        var md = new StringBuilder();
        md.AppendLine(Invariant($"Memory run of {startedAt:yyyy-MM-dd HH:mm} UTC, {total.TotalMinutes:0.0} min in all; load average {memory.LoadAverageBefore} before, {memory.LoadAverageAfter} after."));
        md.AppendLine();
        md.AppendLine(Invariant($"- Machine: {machine.Cores} cores ({machine.CpuModel}), {machine.MemoryGiB} GiB; {machine.Dotnet}; Tollgate {machine.TollgateCommit ?? "(working tree)"}."));
        md.AppendLine(Invariant($"- {memory.Ok:N0} successful responses ({memory.Errors:N0} errors) over {memory.Keys:N0} keys, {memory.Connections} connections, in {memory.LoadSeconds:0} s: {memory.Ok / memory.LoadSeconds:N0} req/s."));
        md.AppendLine(Invariant($"- **Peak RSS {memory.PeakRssMiB:0} MiB** (target under 300 MB = 286 MiB); usage events {memory.Usage.Events:N0} for {memory.Usage.OkResponses:N0} successful responses: {(memory.Usage.Pass ? "no event lost" : "MISMATCH")}."));
        md.AppendLine();
        md.AppendLine("| requests | s | RSS MiB | peak RSS MiB |");
        md.AppendLine("|---:|---:|---:|---:|");
        foreach (var s in memory.Samples) md.AppendLine(Invariant($"| {s.Requests:N0} | {s.Seconds:0} | {s.RssMiB:0} | {s.PeakRssMiB:0} |"));
        md.AppendLine();
        foreach (var note in notes) md.AppendLine($"- {note}");
        await File.WriteAllTextAsync(Path.Combine(outputDir, "memory.md"), md.ToString(), cancellationToken);
        Console.WriteLine();
        Console.WriteLine(md.ToString());
        Console.WriteLine($"Written: {Path.Combine(outputDir, "memory.md")} and memory.json");
        return memory.Usage.Pass ? 0 : 1;
    }

    /// <summary>The 1, 5 and 15 minute load averages, as /proc/loadavg gives them.</summary>
    public static string LoadAverage() => string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
