using System.Diagnostics;

namespace Tollgate.Bench.Hosting;

/// <summary>Short commands whose output the benchmark reads (git, tool versions).</summary>
internal static class Shell
{
    /// <summary>Runs a command to completion; throws with its error output if it fails.</summary>
    public static async Task<string> RunAsync(string fileName, IEnumerable<string> arguments, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(fileName) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{fileName} did not start");
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var errors = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0) throw new InvalidOperationException($"{fileName} {string.Join(' ', start.ArgumentList)} failed: {await errors}");
        return await output + await errors;
    }

    /// <summary>The command's trimmed output, or null where it is missing or fails.</summary>
    public static async Task<string?> TryCaptureAsync(string fileName, IEnumerable<string> arguments, CancellationToken cancellationToken)
    {
        try
        {
            return (await RunAsync(fileName, arguments, cancellationToken)).Trim();
        }
        catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }
}
