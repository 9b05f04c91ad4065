using System.Globalization;
using System.Runtime.InteropServices;
using Tollgate.Bench.Results;

namespace Tollgate.Bench.Hosting;

/// <summary>What the report must say about the machine and the tools, read rather than assumed.</summary>
internal static class MachineProbe
{
    public static async Task<MachineInfo> ReadAsync(RepoLayout repo, string? tollgateRef, string? wrk, string? portkeyVersion, CancellationToken cancellationToken)
    {
        var cpu = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal)) is { } line
            ? line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim()
            : "unknown";
        var kernel = File.Exists("/proc/sys/kernel/osrelease") ? (await File.ReadAllTextAsync("/proc/sys/kernel/osrelease", cancellationToken)).Trim() : "unknown";
        var memKiB = File.ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal)) is { } mem
            ? long.Parse(mem.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture)
            : 0;
        var node = await Shell.TryCaptureAsync("node", ["--version"], cancellationToken);
        // wrk -v prints its version and exits non-zero: read the first line whatever the exit code.
        var wrkVersion = wrk is null ? null : await WrkVersionAsync(wrk, cancellationToken);
        var commit = await Shell.TryCaptureAsync("git", ["-C", repo.Root, "rev-parse", "--short", tollgateRef ?? "HEAD"], cancellationToken);
        if (commit is not null && tollgateRef is null
            && await Shell.TryCaptureAsync("git", ["-C", repo.Root, "status", "--porcelain", "--", "src"], cancellationToken) is { Length: > 0 })
        {
            commit += " + uncommitted changes in src/";
        }
        return new MachineInfo(Environment.ProcessorCount, cpu, kernel, Math.Round(memKiB / 1024.0 / 1024.0, 1),
            RuntimeInformation.FrameworkDescription, node, wrkVersion, portkeyVersion, commit);
    }

    private static async Task<string?> WrkVersionAsync(string wrk, CancellationToken cancellationToken)
    {
        var start = new System.Diagnostics.ProcessStartInfo(wrk, "-v") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using var process = System.Diagnostics.Process.Start(start);
        if (process is null) return null;
        var text = await process.StandardOutput.ReadToEndAsync(cancellationToken) + await process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        return text.Split('\n').FirstOrDefault()?.Trim();
    }
}
