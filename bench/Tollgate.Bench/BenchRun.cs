using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Tollgate.Bench.Hosting;
using Tollgate.Bench.Load;
using Tollgate.Bench.Results;
using Tollgate.Bench.Targets;

namespace Tollgate.Bench;

/// <summary>
/// One benchmark run, start to end: build, start every process on loopback, measure each target
/// in turn under each scenario and load shape, check Tollgate's usage events, stop what it
/// started, and write the report.
/// </summary>
internal sealed class BenchRun(BenchOptions options)
{
    private readonly List<ChildProcess> _processes = [];
    private readonly List<string> _notes = [];

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var startedAt = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        var repo = RepoLayout.Find();
        var outputDir = Path.GetFullPath(options.OutputDir ?? Path.Combine(repo.Root, "bench", "results", startedAt.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)));
        var logDir = Path.Combine(outputDir, "logs");
        Directory.CreateDirectory(logDir);
        var work = Directory.CreateTempSubdirectory("tollgate-bench-").FullName;
        Console.WriteLine($"Results and logs: {outputDir}");
        Say($"Load average (1, 5, 15 min) at the start: {MemoryRun.LoadAverage()}.");

        var wrk = options.OwnClosedLoop ? null : Wrk.Find();
        if (wrk is null && !options.OwnClosedLoop)
            Say("wrk is not installed, so the closed loop uses the built-in generator (install wrk with: apt-get install -y wrk).");

        TollgateServer? tollgate = null;
        try
        {
            var built = await BuildAsync(repo, work, logDir, cancellationToken);
            var (mockProcess, mockUrl) = await MockServer.StartAsync(built.Mock, logDir, cancellationToken);
            _processes.Add(mockProcess);
            var scenarios = Scenario.All.Where(sc => options.Scenarios.Contains(sc.Name)).ToList();
            List<LoadShape> shapes = [LoadShape.Closed(options.Connections), .. options.Rates.Select(LoadShape.Open)];

            if (options.MemoryRequests is { } requests)
            {
                tollgate = await StartTollgateAsync(built.Tollgate, work, logDir, mockUrl, [MemoryRun.Shape], [MemoryRun.Scenario], cancellationToken);
                var memory = await new MemoryRun(tollgate, requests, options.Connections).RunAsync(cancellationToken);
                var memoryMachine = await MachineProbe.ReadAsync(repo, built.Commit, null, null, cancellationToken);
                return await MemoryRun.WriteAsync(memory, startedAt, clock.Elapsed, memoryMachine, _notes, outputDir, cancellationToken);
            }

            var targets = new List<Target>();
            string? portkeyVersion = null;
            foreach (var name in options.Targets)
            {
                Console.WriteLine($"Starting {name}…");
                switch (name)
                {
                    case "direct":
                        targets.Add(new Target("direct", [new Uri(mockUrl, "/v1/chat/completions")], [], [mockProcess], (_, _) => Target.MockModel));
                        break;
                    case "yarp":
                        var yarp = await YarpServer.StartAsync(built.Yarp!, mockUrl, logDir, cancellationToken);
                        _processes.Add(yarp.Process);
                        targets.Add(yarp);
                        break;
                    case "tollgate":
                        tollgate = await StartTollgateAsync(built.Tollgate, work, logDir, mockUrl, shapes, scenarios, cancellationToken);
                        targets.Add(tollgate.AsTarget());
                        break;
                    default:
                        var peerDir = options.PortkeyDir ?? repo.DefaultPortkeyDir;
                        var (portkey, skipped) = await PortkeyServer.TryStartAsync(peerDir, mockUrl, logDir, cancellationToken);
                        if (portkey is null)
                        {
                            Say($"Portkey skipped: {skipped}.");
                            break;
                        }
                        _processes.Add(portkey.Process);
                        targets.Add(portkey);
                        portkeyVersion = PortkeyServer.InstalledVersion(peerDir);
                        break;
                }
            }

            var sent = new Dictionary<string, (long Ok, long Allowance)>();
            void Sent(Target target, Scenario scenario, LoadShape shape, long ok, long allowance)
            {
                if (target.Name != "tollgate") return;
                var model = target.Model(scenario, shape);
                var (o, a) = sent.GetValueOrDefault(model);
                sent[model] = (o + ok, a + allowance);
            }

            targets = await CheckTargetsAsync(targets, scenarios, shapes[0], Sent, cancellationToken);
            await PrimeAsync(targets, scenarios, shapes[0], Sent, cancellationToken);
            var cells = await MeasureAsync(targets, scenarios, shapes, wrk, mockProcess, work, clock, Sent, cancellationToken);

            Say($"Load average (1, 5, 15 min) at the end of the measurements: {MemoryRun.LoadAverage()}.");
            var usage = tollgate is null ? [] : await UsageVerifier.CheckAsync(tollgate, sent, startedAt, cancellationToken);
            var processes = _processes.Where(p => !p.HasExited)
                .Select(p => new ProcessMemory(p.Name, ProcStats.PeakRssMiB(p.Pid), ProcStats.CpuSeconds(p.Pid))).ToList();
            var summaries = Summarizer.Summarize(cells);
            var machine = await MachineProbe.ReadAsync(repo, built.Commit, wrk, portkeyVersion, cancellationToken);
            var settings = new RunSettings(options.Duration.TotalSeconds, options.Warmup.TotalSeconds, options.Rounds, options.Connections, options.Rates,
                options.OpenConnections, [.. targets.Select(t => t.Name)], [.. scenarios.Select(sc => sc.Name)],
                wrk is null ? "built-in closed loop" : "wrk");
            var report = new BenchReport(startedAt, clock.Elapsed.TotalSeconds, machine, settings, _notes, summaries, Summarizer.Added(summaries), usage,
                processes, [.. cells.Select(c => c.Measurement)]);
            await File.WriteAllTextAsync(Path.Combine(outputDir, "results.json"), JsonSerializer.Serialize(report, BenchJson.Default.BenchReport), cancellationToken);
            var markdown = MarkdownReport.Write(report);
            await File.WriteAllTextAsync(Path.Combine(outputDir, "results.md"), markdown, cancellationToken);
            Console.WriteLine();
            Console.WriteLine(markdown);
            Console.WriteLine($"Written: {Path.Combine(outputDir, "results.md")} and results.json");
            return usage.All(u => u.Pass) ? 0 : 1;
        }
        finally
        {
            tollgate?.Dispose();
            for (var i = _processes.Count - 1; i >= 0; i--) await _processes[i].DisposeAsync();
            if (options.KeepData) Console.WriteLine($"Kept Tollgate's data and the work files in {work}");
            else Directory.Delete(work, recursive: true);
        }
    }

    private async Task<(string Tollgate, string Mock, string? Yarp, string? Commit)> BuildAsync(RepoLayout repo, string work, string logDir, CancellationToken cancellationToken)
    {
        var source = repo;
        string? commit = null;
        if (options.TollgateRef is { } gitRef)
        {
            Console.WriteLine($"Exporting src/ at {gitRef}…");
            source = await SourceExport.ExportAsync(repo, gitRef, cancellationToken);
            commit = SourceExport.CommitOf(source);
        }
        Console.WriteLine("Building Tollgate, the mock and the YARP forwarder (Release)…");
        // Kept between runs (bench/results is not committed): unchanged sources are not built again.
        var builds = Path.Combine(repo.Root, "bench", "results", ".build");
        var tollgate = await ReleaseBuild.BuildAsync(source.TollgateProject, "tollgate", Path.Combine(builds, commit is null ? "tollgate" : $"tollgate-{commit}"),
            Path.Combine(logDir, "build-tollgate.log"), [Path.Combine(source.Root, "src")], cancellationToken);
        var mock = await ReleaseBuild.BuildAsync(repo.MockProject, "tollgate-bench-mock", Path.Combine(builds, "mock"), Path.Combine(logDir, "build-mock.log"),
            [Path.GetDirectoryName(repo.MockProject)!], cancellationToken);
        var yarp = options.Targets.Contains("yarp") && options.MemoryRequests is null
            ? await ReleaseBuild.BuildAsync(repo.YarpProject, "tollgate-bench-yarp", Path.Combine(builds, "yarp"), Path.Combine(logDir, "build-yarp.log"),
                [Path.GetDirectoryName(repo.YarpProject)!], cancellationToken)
            : null;
        return (tollgate, mock, yarp, commit);
    }

    /// <summary>One request per target and scenario before any load: a target that answers wrongly is left out, with the reason.</summary>
    private async Task<List<Target>> CheckTargetsAsync(List<Target> targets, List<Scenario> scenarios, LoadShape shape,
        Action<Target, Scenario, LoadShape, long, long> sent, CancellationToken cancellationToken)
    {
        var working = new List<Target>();
        foreach (var target in targets)
        {
            var ok = true;
            foreach (var scenario in scenarios.Where(sc => sc.AppliesTo(target.Name)))
            {
                using var connection = new LoadConnection(new IPEndPoint(IPAddress.Parse(target.ChatUrl.Host), target.ChatUrl.Port), scenario.Stream, scenario.ExpectedStatus);
                await connection.ConnectAsync(cancellationToken);
                var request = target.Requests(scenario, shape)[0];
                var outcome = await connection.TrySendAsync(request, cancellationToken) ? await connection.ReceiveAsync(cancellationToken) : RequestOutcome.IoError;
                if (outcome == RequestOutcome.Ok)
                {
                    sent(target, scenario, shape, scenario.Refused ? 0 : 1, 0);
                    continue;
                }
                Say($"{target.Name} left out: its first {scenario.Name} request ended {outcome}; see {target.Process.LogPath}.");
                ok = false;
                break;
            }
            if (ok) working.Add(target);
        }
        return working;
    }

    /// <summary>Load on every target before measuring, until the JIT has recompiled the hot paths (excluded from the figures).</summary>
    private async Task PrimeAsync(List<Target> targets, List<Scenario> scenarios, LoadShape shape,
        Action<Target, Scenario, LoadShape, long, long> sent, CancellationToken cancellationToken)
    {
        if (options.Prime <= TimeSpan.Zero) return;
        Console.WriteLine($"Priming every target for {options.Prime.TotalSeconds:0.#} s per scenario…");
        // Quick runs prime only the two distinct request paths: chat-keys and chat-refused take chat's.
        foreach (var scenario in scenarios.Where(sc => !options.Quick || !(sc.ManyKeys || sc.Refused)))
        {
            foreach (var target in targets.Where(t => scenario.AppliesTo(t.Name)))
            {
                var plan = CellRunner.Plan(target, scenario, shape, options.Connections, TimeSpan.Zero, options.Prime);
                var run = await ClosedLoopGenerator.RunAsync(plan, cancellationToken);
                sent(target, scenario, shape, scenario.Refused ? 0 : run.Stats.Ok, 0);
            }
        }
    }

    private async Task<List<CellOutcome>> MeasureAsync(List<Target> targets, List<Scenario> scenarios, List<LoadShape> shapes, string? wrk,
        ChildProcess mock, string work, Stopwatch clock, Action<Target, Scenario, LoadShape, long, long> sent, CancellationToken cancellationToken)
    {
        var runner = new CellRunner(options, wrk, mock, _processes, work);
        var gate = new QuietGate(_processes, options.QuietWait, options.QuietPercent);
        var plan = (from scenario in scenarios
                    from shape in shapes
                    from round in Enumerable.Range(1, options.Rounds)
                    // Quick runs measure the open loop only where the other targets are measured alike.
                    where !(options.Quick && shape.IsOpen && (scenario.ManyKeys || scenario.Refused))
                    from target in Rotate(targets, round - 1)
                    where scenario.AppliesTo(target.Name)
                    select (scenario, shape, round, target)).ToList();
        var perCell = options.Warmup + options.Duration + TimeSpan.FromSeconds(options.QuietWait > TimeSpan.Zero ? 1 : 0.5);
        Console.WriteLine($"Measuring: {plan.Count} runs of about {perCell.TotalSeconds:0.#} s, about {plan.Count * perCell.TotalMinutes:0.0} min.");
        var cells = new List<CellOutcome>();
        var index = 0;
        foreach (var (scenario, shape, round, target) in plan)
        {
            index++;
            if (clock.Elapsed + perCell > options.TimeLimit)
            {
                Say($"Time limit of {options.TimeLimit.TotalMinutes:0.#} min reached: {plan.Count - index + 1} of {plan.Count} runs not made.");
                break;
            }
            try
            {
                if (options.QuietWait > TimeSpan.Zero && await gate.WaitAsync(cancellationToken) is var other && other > options.QuietPercent)
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  other processes still use {other:0}% of the machine; measuring anyway"));
                var cell = await runner.RunAsync(target, scenario, shape, round, cancellationToken);
                cells.Add(cell);
                sent(target, scenario, shape, scenario.Refused ? 0 : cell.OkSent, cell.InFlightAllowance);
                var m = cell.Measurement;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"[{index}/{plan.Count}] {scenario.Name} {shape.Name} round {round} {target.Name,-8}: {m.RequestsPerSecond,8:N0} req/s  p50 {m.Latency.P50,7:0.00} ms  p99 {m.Latency.P99,7:0.00} ms  p99.9 {m.Latency.P999,7:0.00} ms  errors {m.Errors}{(m.NotSent > 0 ? $"  never sent {m.NotSent}" : "")}"));
            }
            catch (Exception ex) when (ex is TimeoutException or InvalidOperationException or System.Net.Sockets.SocketException)
            {
                Say($"{target.Name}, {scenario.Name} {shape.Name} round {round} failed: {ex.Message}");
            }
        }
        return cells;
    }

    private async Task<TollgateServer> StartTollgateAsync(string assembly, string work, string logDir, Uri mockUrl, IReadOnlyList<LoadShape> shapes,
        IReadOnlyList<Scenario> scenarios, CancellationToken cancellationToken)
    {
        var settings = new TollgateSettings(options.TollgateDatabase, options.TollgateInstances, options.TollgateArguments, options.TollgateEnvironment);
        var tollgate = await TollgateServer.StartAsync(settings, assembly, work, logDir, cancellationToken);
        _processes.AddRange(tollgate.Processes);
        var models = scenarios.SelectMany(sc => shapes.Select(sh => tollgate.ModelFor(sc, sh)));
        var manyKeys = scenarios.Any(sc => sc.ManyKeys);
        await tollgate.SetUpAsync(mockUrl, models, options.Customers, manyKeys ? options.Keys : 0, scenarios.Any(sc => sc.Refused), cancellationToken);
        if (options.TollgateEnvironment.Count > 0)
            Say($"Tollgate ran with {string.Join(", ", options.TollgateEnvironment.Select(e => $"{e.Key}={e.Value}"))}.");
        Say(options.TollgateDatabase is null
            ? "Tollgate ran on SQLite in its data directory."
            : $"Tollgate ran on PostgreSQL, {options.TollgateInstances} instance(s), load spread over all.");
        if (options.TollgateArguments.Count > 0) Say($"Tollgate's serve had the extra arguments {string.Join(' ', options.TollgateArguments)}.");
        return tollgate;
    }

    /// <summary>Each round starts with a different target, so slow drift (heat, caches, the database growing) is spread over all.</summary>
    private static IEnumerable<Target> Rotate(List<Target> targets, int by) =>
        targets.Count == 0 ? [] : targets.Skip(by % targets.Count).Concat(targets.Take(by % targets.Count));

    private void Say(string note)
    {
        Console.WriteLine(note);
        _notes.Add(note);
    }
}
