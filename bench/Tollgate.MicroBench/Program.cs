using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace Tollgate.MicroBench;

/// <summary>
/// Micro-benchmarks of the gateway's hot path (issues 4 and 5). ShortRun by default so a full
/// run fits in a few minutes, and in-process so no second project is generated and built; pass BenchmarkDotNet's own arguments (e.g. <c>--filter</c>) after <c>--</c>.
/// </summary>
internal static class Program
{
    public static void Main(string[] args)
    {
        var config = DefaultConfig.Instance
            .AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance))
            .AddDiagnoser(MemoryDiagnoser.Default);
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, config);
    }
}
