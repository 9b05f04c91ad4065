using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Tollgate.Tests.Cli;

/// <summary>
/// The built <c>tollgate</c> executable as a separate process, with only the <c>TOLLGATE_*</c>
/// variables a test gives: what an operator's shell runs.
/// </summary>
internal static class TollgateProcess
{
    private static readonly TimeSpan VerbTimeout = TimeSpan.FromSeconds(60);

    public static ProcessStartInfo StartInfo(IReadOnlyDictionary<string, string> variables, params string[] args)
    {
        // The test project references Tollgate, so the build copies its app host beside the tests.
        var appHost = Path.Combine(AppContext.BaseDirectory, OperatingSystem.IsWindows() ? "tollgate.exe" : "tollgate");
        var info = File.Exists(appHost)
            ? new ProcessStartInfo(appHost)
            : new ProcessStartInfo("dotnet") { ArgumentList = { Path.Combine(AppContext.BaseDirectory, "tollgate.dll") } };
        foreach (var arg in args) info.ArgumentList.Add(arg);
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        info.RedirectStandardInput = true;
        info.UseShellExecute = false;
        foreach (var name in info.Environment.Keys.Where(k => k.StartsWith("TOLLGATE_", StringComparison.OrdinalIgnoreCase)).ToList())
            info.Environment.Remove(name);
        foreach (var (name, value) in variables) info.Environment[name] = value;
        return info;
    }

    public static async Task<CliResult> RunAsync(IReadOnlyDictionary<string, string> variables, params string[] args)
    {
        using var process = Process.Start(StartInfo(variables, args))!;
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(VerbTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"tollgate {string.Join(' ', args)} did not finish within {VerbTimeout.TotalSeconds} s.");
        }
        return new CliResult(process.ExitCode, await output, await error);
    }

    /// <summary>A loopback port nothing listens on at the moment of asking.</summary>
    public static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
