using System.Net;
using HdrHistogram;
using Tollgate.Bench.Hosting;
using Tollgate.Bench.Load;
using Tollgate.Bench.Results;
using Tollgate.Bench.Targets;

namespace Tollgate.Bench;

/// <summary>What one measurement produced, with what the summary and the usage check need beyond the figures.</summary>
internal sealed record CellOutcome(Measurement Measurement, LongHistogram? Latency, long OkSent, long InFlightAllowance);

/// <summary>
/// Runs one measurement: warm-up, then the measured load, with CPU time read around the measured
/// part: the target's process, the mock, and what processes this run did not start took (other
/// people's work on a shared machine), so a disturbed measurement shows as such.
/// </summary>
internal sealed class CellRunner(BenchOptions options, string? wrk, ChildProcess mock, IReadOnlyList<ChildProcess> started, string workDir)
{
    public async Task<CellOutcome> RunAsync(Target target, Scenario scenario, LoadShape shape, int round, CancellationToken cancellationToken)
    {
        // wrk takes one address and counts any status over 399 as an error: the built-in loop serves several instances and the refusal path.
        if (!shape.IsOpen && wrk is not null && target.ChatUrls.Count == 1 && !scenario.Refused)
            return await RunWrkAsync(wrk, target, scenario, shape, round, cancellationToken);

        var plan = Plan(target, scenario, shape, shape.IsOpen ? options.OpenConnections : options.Connections, options.Warmup, options.Duration);
        var run = shape.Rate is { } rate
            ? OpenLoopGenerator.RunAsync(plan, rate, cancellationToken)
            : ClosedLoopGenerator.RunAsync(plan, cancellationToken);
        await Task.WhenAny(run, Task.Delay(options.Warmup, cancellationToken));
        var before = Snapshot(target);
        var result = await run;
        var after = Snapshot(target);
        var stats = result.Stats;
        var measurement = new Measurement(target.Name, scenario.Name, shape.Name, round, shape.IsOpen ? "built-in open loop" : "built-in closed loop",
            result.MeasuredSeconds, stats.MeasuredOk, stats.Errors, stats.MeasuredOk / result.MeasuredSeconds, Percentiles.FromHistogram(stats.Latency),
            result.IntendedRate, result.NotSent, PerRequest(after.Target - before.Target, stats.MeasuredOk),
            PerRequest(after.Mock - before.Mock, stats.MeasuredOk), Busy(before, after), Other(before, after), PeakRss(target));
        return new CellOutcome(measurement, stats.Latency, stats.Ok, 0);
    }

    /// <summary>A load plan for a target and scenario: its requests (one per key), spread over its instances.</summary>
    public static LoadPlan Plan(Target target, Scenario scenario, LoadShape shape, int connections, TimeSpan warmup, TimeSpan duration) =>
        new([.. target.ChatUrls.Select(Endpoint)], target.Requests(scenario, shape), scenario.Stream, connections, warmup, duration, scenario.ExpectedStatus);

    private async Task<CellOutcome> RunWrkAsync(string wrkPath, Target target, Scenario scenario, LoadShape shape, int round, CancellationToken cancellationToken)
    {
        var body = scenario.Body(target.Model(scenario, shape));
        var keys = target.Keys(scenario);
        IReadOnlyList<KeyValuePair<string, string>> headers = keys is { Count: 1 } ? [.. target.Headers, new("Authorization", $"Bearer {keys[0]}")] : target.Headers;
        var rotate = keys is { Count: > 1 } ? keys : null;
        var warm = await Wrk.RunAsync(wrkPath, target.ChatUrl, headers, body, rotate, options.Connections, options.Warmup, workDir, cancellationToken);
        var before = Snapshot(target);
        var result = await Wrk.RunAsync(wrkPath, target.ChatUrl, headers, body, rotate, options.Connections, options.Duration, workDir, cancellationToken);
        var after = Snapshot(target);
        var seconds = result.DurationUs / 1e6;
        const double msPerUs = 1e-3;
        var latency = new Percentiles(result.P50Us * msPerUs, result.P90Us * msPerUs, result.P99Us * msPerUs, result.P999Us * msPerUs, result.MaxUs * msPerUs);
        var measurement = new Measurement(target.Name, scenario.Name, shape.Name, round, "wrk", seconds, result.Ok, result.Errors, result.Ok / seconds, latency,
            null, 0, PerRequest(after.Target - before.Target, result.Ok), PerRequest(after.Mock - before.Mock, result.Ok), Busy(before, after), Other(before, after),
            PeakRss(target));
        // wrk abandons the requests in flight when its time is up: the gateway may still bill them.
        return new CellOutcome(measurement, null, warm.Ok + result.Ok, 2L * options.Connections);
    }

    /// <summary>Peak resident memory so far, of the largest of the target's processes.</summary>
    private static double PeakRss(Target target) => target.Processes.Where(p => !p.HasExited).Max(p => ProcStats.PeakRssMiB(p.Pid));

    private static IPEndPoint Endpoint(Uri url) => new(IPAddress.Parse(url.Host), url.Port);

    private CpuSnapshot Snapshot(Target target) => new(
        target.Processes.Sum(p => ProcStats.CpuSeconds(p.Pid)),
        ProcStats.CpuSeconds(mock.Pid),
        started.Where(p => !p.HasExited).Sum(p => ProcStats.CpuSeconds(p.Pid)) + ProcStats.OwnCpuSeconds(),
        ProcStats.MachineCpu());

    private static double? PerRequest(double cpuSeconds, long requests) => requests > 0 ? cpuSeconds / requests * 1e6 : null;

    private static double Busy(CpuSnapshot before, CpuSnapshot after)
    {
        var total = after.Machine.Total - before.Machine.Total;
        return total > 0 ? 100.0 * (after.Machine.Busy - before.Machine.Busy) / total : 0;
    }

    /// <summary>Share of all cores busy with processes this run did not start.</summary>
    private static double Other(CpuSnapshot before, CpuSnapshot after)
    {
        var total = (after.Machine.Total - before.Machine.Total) / ProcStats.TicksPerSecond;
        var others = ((after.Machine.Busy - before.Machine.Busy) / ProcStats.TicksPerSecond) - (after.Ours - before.Ours);
        return total > 0 ? Math.Max(0, 100.0 * others / total) : 0;
    }

    private sealed record CpuSnapshot(double Target, double Mock, double Ours, (long Busy, long Total) Machine);
}
