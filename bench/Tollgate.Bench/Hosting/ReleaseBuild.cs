using System.Diagnostics;

namespace Tollgate.Bench.Hosting;

/// <summary>
/// Builds a project in Release into a folder of its own, so the benchmark runs what it just
/// built. The folder is kept between runs with a stamp of the sources it was built from: when no
/// source under the given roots changed, the build is skipped (MSBuild alone takes tens of
/// seconds on a busy machine even when there is nothing to compile).
/// </summary>
internal static class ReleaseBuild
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(20);
    private static readonly string[] SourceExtensions = [".cs", ".csproj", ".props", ".targets", ".json", ".cshtml", ".css", ".js", ".sql"];

    /// <returns>The path of the built assembly, to run with <c>dotnet</c>.</returns>
    public static async Task<string> BuildAsync(string project, string assemblyName, string outputDir, string logPath, IReadOnlyList<string> sourceRoots,
        CancellationToken cancellationToken)
    {
        var assembly = Path.Combine(outputDir, assemblyName + ".dll");
        var stampPath = Path.Combine(outputDir, ".source-stamp");
        var stamp = Stamp(sourceRoots);
        if (File.Exists(assembly) && File.Exists(stampPath) && await File.ReadAllTextAsync(stampPath, cancellationToken) == stamp)
        {
            await File.WriteAllTextAsync(logPath, $"up to date with its sources ({stamp}); not rebuilt\n", cancellationToken);
            return assembly;
        }
        if (File.Exists(stampPath)) File.Delete(stampPath);
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in (string[])["build", project, "-c", "Release", "-o", outputDir, "--nologo", "-v", "quiet",
            // No compiler or MSBuild servers left running to take memory and CPU during the measurements.
            "--disable-build-servers"]) start.ArgumentList.Add(arg);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet build did not start");
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var errors = process.StandardError.ReadToEndAsync(cancellationToken);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(Limit);
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"building {Path.GetFileName(project)} took longer than {Limit.TotalMinutes:0} minutes");
        }
        await File.WriteAllTextAsync(logPath, await output + await errors, cancellationToken);
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"building {Path.GetFileName(project)} failed; see {logPath}");
        await File.WriteAllTextAsync(stampPath, stamp, cancellationToken);
        return assembly;
    }

    /// <summary>Count, newest write time and total length of the source files under the roots (bin and obj left out).</summary>
    private static string Stamp(IReadOnlyList<string> roots)
    {
        var files = roots.Where(Directory.Exists)
            .SelectMany(root => Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories))
            .Where(f => SourceExtensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Select(f => new FileInfo(f)).ToList();
        var newest = files.Count == 0 ? 0 : files.Max(f => f.LastWriteTimeUtc.Ticks);
        return FormattableString.Invariant($"{files.Count}:{newest}:{files.Sum(f => f.Length)}");
    }
}
