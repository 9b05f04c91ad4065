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
        var body = scenario.Body(target.Model(scenario, shape));
        if (!shape.IsOpen && wrk is not null) return await RunWrkAsync(wrk, target, scenario, shape, round, body, cancellationToken);

        var plan = new LoadPlan(Endpoint(target.ChatUrl), HttpRequestBytes.Post(target.ChatUrl, target.Headers, body), scenario.Stream,
            shape.IsOpen ? options.OpenConnections : options.Connections, options.Warmup, options.Duration);
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
            PerRequest(after.Mock - before.Mock, stats.MeasuredOk), Busy(before, after), Other(before, after));
        return new CellOutcome(measurement, stats.Latency, stats.Ok, 0);
    }

    private async Task<CellOutcome> RunWrkAsync(string wrkPath, Target target, Scenario scenario, LoadShape shape, int round, byte[] body, CancellationToken cancellationToken)
    {
        var warm = await Wrk.RunAsync(wrkPath, target.ChatUrl, target.Headers, body, options.Connections, options.Warmup, workDir, cancellationToken);
        var before = Snapshot(target);
        var result = await Wrk.RunAsync(wrkPath, target.ChatUrl, target.Headers, body, options.Connections, options.Duration, workDir, cancellationToken);
        var after = Snapshot(target);
        var seconds = result.DurationUs / 1e6;
        const double msPerUs = 1e-3;
        var latency = new Percentiles(result.P50Us * msPerUs, result.P90Us * msPerUs, result.P99Us * msPerUs, result.P999Us * msPerUs, result.MaxUs * msPerUs);
        var measurement = new Measurement(target.Name, scenario.Name, shape.Name, round, "wrk", seconds, result.Ok, result.Errors, result.Ok / seconds, latency,
            null, 0, PerRequest(after.Target - before.Target, result.Ok), PerRequest(after.Mock - before.Mock, result.Ok), Busy(before, after), Other(before, after));
        // wrk abandons the requests in flight when its time is up: the gateway may still bill them.
        return new CellOutcome(measurement, null, warm.Ok + result.Ok, 2L * options.Connections);
    }

    private static IPEndPoint Endpoint(Uri url) => new(IPAddress.Parse(url.Host), url.Port);

    private CpuSnapshot Snapshot(Target target) => new(
        ProcStats.CpuSeconds(target.Process.Pid),
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
