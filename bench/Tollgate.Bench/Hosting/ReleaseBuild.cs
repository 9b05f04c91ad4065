using System.Diagnostics;

namespace Tollgate.Bench.Hosting;

/// <summary>Builds a project in Release into a folder of its own, so the benchmark runs what it just built.</summary>
internal static class ReleaseBuild
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(5);

    /// <returns>The path of the built assembly, to run with <c>dotnet</c>.</returns>
    public static async Task<string> BuildAsync(string project, string assemblyName, string outputDir, string logPath, CancellationToken cancellationToken)
    {
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
        return Path.Combine(outputDir, assemblyName + ".dll");
    }
}
