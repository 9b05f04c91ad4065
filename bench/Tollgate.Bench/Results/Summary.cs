namespace Tollgate.Bench.Results;

/// <summary>
/// A target under one scenario and load shape over all rounds: throughput averaged, latency from
/// the merged histograms (the built-in generators) or averaged per round (wrk keeps no histogram).
/// </summary>
internal sealed record Summary(
    string Target,
    string Scenario,
    string Shape,
    int Rounds,
    double RequestsPerSecond,
    double MinRequestsPerSecond,
    double MaxRequestsPerSecond,
    Percentiles Latency,
    double? TargetCpuUsPerRequest,
    double MachineBusyPercent,
    double OtherLoadPercent,
    long Errors,
    long NotSent,
    bool Saturated,
    double PeakRssMiB);

/// <summary>Tollgate's latency minus another target's, same scenario and load shape.</summary>
internal sealed record AddedLatency(string Scenario, string Shape, string Over, Percentiles Added);

/// <summary>Usage events Tollgate stored for a model against the successful responses sent to it.</summary>
internal sealed record UsageCheck(string Model, long OkResponses, long Events, long InFlightAllowance, bool Pass);

/// <summary>Peak resident memory of a process this run started.</summary>
internal sealed record ProcessMemory(string Process, double PeakRssMiB, double CpuSeconds);

internal sealed record MachineInfo(int Cores, string CpuModel, string Kernel, double MemoryGiB, string Dotnet, string? Node, string? Wrk, string? Portkey, string? TollgateCommit);

internal sealed record RunSettings(
    double DurationSeconds, double WarmupSeconds, int Rounds, int Connections, IReadOnlyList<double> Rates, int OpenConnections,
    IReadOnlyList<string> Targets, IReadOnlyList<string> Scenarios, string ClosedLoopGenerator);

/// <summary>Everything one run found: what <c>results.json</c> holds and <c>results.md</c> shows.</summary>
internal sealed record BenchReport(
    DateTimeOffset StartedAt,
    double TotalSeconds,
    MachineInfo Machine,
    RunSettings Settings,
    IReadOnlyList<string> Notes,
    IReadOnlyList<Summary> Summaries,
    IReadOnlyList<AddedLatency> AddedLatency,
    IReadOnlyList<UsageCheck> UsageChecks,
    IReadOnlyList<ProcessMemory> Processes,
    IReadOnlyList<Measurement> Measurements);
