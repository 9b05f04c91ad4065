using System.Diagnostics;
using System.Text;
using Tollgate.Cli;

namespace Tollgate.Tests.Cli;

/// <summary>
/// End to end: the real executable serves on a loopback port from a temporary data directory,
/// and the verbs run as separate processes against it, as an operator would run them.
/// </summary>
public sealed class CliProcessTests : IAsyncLifetime
{
    private const string AdminToken = "e2e-admin-token-for-the-cli";

    private readonly string _root = Path.Combine(Path.GetTempPath(), "tollgate-tests", "e2e-" + Guid.NewGuid().ToString("N"));
    private readonly StringBuilder _serverLog = new();
    private Process? _server;
    private string _url = null!;

    private string DataDir => Path.Combine(_root, "data");

    private Dictionary<string, string> Variables => new() { ["TOLLGATE_ADMIN_TOKEN"] = AdminToken, ["TOLLGATE_SERVER"] = _url };

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_root);
        _url = $"http://127.0.0.1:{TollgateProcess.FreePort()}";
        _server = Process.Start(TollgateProcess.StartInfo(new Dictionary<string, string> { ["TOLLGATE_ADMIN_TOKEN"] = AdminToken },
            "serve", "--urls", _url, "--data-dir", DataDir))!;
        _server.OutputDataReceived += (_, e) => Log(e.Data);
        _server.ErrorDataReceived += (_, e) => Log(e.Data);
        _server.BeginOutputReadLine();
        _server.BeginErrorReadLine();
        await WaitUntilServingAsync();
    }

    public async Task DisposeAsync()
    {
        StopServer();
        _server?.Dispose();
        await Task.Delay(100); // let the killed process release its files
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public async Task Verbs_AgainstServingExecutable_CreateListBackUpAndFailAsDocumented()
    {
        var created = await TollgateProcess.RunAsync(Variables, "customers", "create", "--name", "Process Customer", "--json");
        Assert.True(created.ExitCode == ExitCodes.Ok, created + ServerLog());
        var id = created.Json().GetProperty("id").GetString()!;

        var listed = await TollgateProcess.RunAsync(Variables, "customers", "list");
        Assert.True(listed.ExitCode == ExitCodes.Ok, listed.ToString());
        Assert.Contains(id, listed.Output);
        Assert.Contains("Process Customer", listed.Output);

        var backupFile = Path.Combine(_root, "backup.db");
        var backup = await TollgateProcess.RunAsync(Variables, "backup", "--data-dir", DataDir, "--to", backupFile);
        Assert.True(backup.ExitCode == ExitCodes.Ok, backup.ToString());
        Assert.Contains("Backed up", backup.Output);
        Assert.Contains("key-pepper", backup.Output);
        Assert.True(new FileInfo(backupFile).Length > 0);

        var wrongToken = await TollgateProcess.RunAsync(Variables, "customers", "list", "--token", "wrong");
        Assert.Equal(ExitCodes.Unauthorized, wrongToken.ExitCode);
        Assert.Contains("Set TOLLGATE_ADMIN_TOKEN or pass --token.", wrongToken.Error);

        StopServer();
        var down = await TollgateProcess.RunAsync(Variables, "customers", "list");
        Assert.Equal(ExitCodes.Unreachable, down.ExitCode);
        Assert.Contains($"Cannot reach Tollgate at {_url}/", down.Error);
    }

    private async Task WaitUntilServingAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (_server!.HasExited) throw new InvalidOperationException($"tollgate serve exited with {_server.ExitCode}:\n{ServerLog()}");
            try
            {
                using var response = await http.GetAsync($"{_url}/healthz");
                if (response.IsSuccessStatusCode) return;
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"tollgate serve did not answer on {_url} within 60 s:\n{ServerLog()}");
    }

    private void StopServer()
    {
        if (_server is { HasExited: false })
        {
            _server.Kill(entireProcessTree: true);
            _server.WaitForExit();
        }
    }

    private void Log(string? line)
    {
        if (line is null) return;
        lock (_serverLog) _serverLog.AppendLine(line);
    }

    private string ServerLog()
    {
        lock (_serverLog) return "\n--- server\n" + _serverLog;
    }
}
