using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Tollgate.Bench.Hosting;

namespace Tollgate.Bench.Targets;

/// <summary>
/// Portkey's open-source gateway (Node.js), set up as its folder's README says: copied to a
/// temporary folder (the shared folder is read-only), <c>npm install</c>ed once per version of
/// its files, and started bound to 127.0.0.1. Skipped, with the reason, where Node.js or npm is missing.
/// </summary>
internal static class PortkeyServer
{
    private static readonly string[] Files = ["package.json", "bind-local.mjs"];

    public static async Task<(Target? Target, string? Skipped)> TryStartAsync(string peerDir, Uri mock, string logDir, CancellationToken cancellationToken)
    {
        if (!OnPath("node") || !OnPath("npm"))
            return (null, "Node.js and npm are not installed (apt-get install -y nodejs npm)");
        if (!Files.All(f => File.Exists(Path.Combine(peerDir, f))))
            return (null, $"{peerDir} does not hold {string.Join(" and ", Files)}");

        var installDir = Path.Combine(Path.GetTempPath(), "tollgate-bench-portkey-" + FilesHash(peerDir));
        if (!Directory.Exists(Path.Combine(installDir, "node_modules", "@portkey-ai", "gateway")))
        {
            Directory.CreateDirectory(installDir);
            foreach (var file in Files) File.Copy(Path.Combine(peerDir, file), Path.Combine(installDir, file), overwrite: true);
            Console.WriteLine($"  npm install in {installDir} (once per version of the peer's files)…");
            var installed = await NpmInstallAsync(installDir, Path.Combine(logDir, "portkey-npm-install.log"), cancellationToken);
            if (!installed) return (null, $"npm install failed; see {Path.Combine(logDir, "portkey-npm-install.log")}");
        }

        var port = FreePort.Next();
        var process = ChildProcess.Start("portkey", "node", [Path.Combine(installDir, "bind-local.mjs"), $"--port={port}", "--headless"],
            Path.Combine(logDir, "portkey.log"), workingDirectory: installDir);
        var baseUrl = new Uri($"http://127.0.0.1:{port}");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        // Any HTTP answer at all means it is listening.
        await process.WaitReadyAsync(async ct =>
        {
            using var response = await http.GetAsync(baseUrl, ct);
            return true;
        }, TimeSpan.FromSeconds(60), cancellationToken);
        var headers = new KeyValuePair<string, string>[]
        {
            new("x-portkey-provider", "openai"),
            new("x-portkey-custom-host", new Uri(mock, "/v1").ToString()),
            new("Authorization", "Bearer anything"),
        };
        return (new Target("portkey", [new Uri(baseUrl, "/v1/chat/completions")], headers, [process], (_, _) => Target.MockModel), null);
    }

    private static async Task<bool> NpmInstallAsync(string dir, string logPath, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("npm") { WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in (string[])["install", "--no-audit", "--no-fund"]) start.ArgumentList.Add(arg);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("npm did not start");
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var errors = process.StandardError.ReadToEndAsync(cancellationToken);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(TimeSpan.FromMinutes(5));
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            process.Kill(entireProcessTree: true);
        }
        await File.WriteAllTextAsync(logPath, await output + await errors, CancellationToken.None);
        return process.HasExited && process.ExitCode == 0;
    }

    private static string FilesHash(string dir)
    {
        var all = Files.SelectMany(f => File.ReadAllBytes(Path.Combine(dir, f))).ToArray();
        return Convert.ToHexStringLower(SHA256.HashData(all))[..12];
    }

    private static bool OnPath(string command) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries).Any(dir => File.Exists(Path.Combine(dir, command)));

    /// <summary>The peer's version as npm installed it, for the report.</summary>
    public static string? InstalledVersion(string peerDir)
    {
        var installDir = Path.Combine(Path.GetTempPath(), "tollgate-bench-portkey-" + FilesHash(peerDir));
        var package = Path.Combine(installDir, "node_modules", "@portkey-ai", "gateway", "package.json");
        if (!File.Exists(package)) return null;
        using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(package, Encoding.UTF8));
        return json.RootElement.TryGetProperty("version", out var v) ? v.GetString() : null;
    }
}
