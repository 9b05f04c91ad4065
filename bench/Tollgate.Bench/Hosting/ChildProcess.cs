using System.Diagnostics;

namespace Tollgate.Bench.Hosting;

/// <summary>
/// A process this benchmark started: its output goes to a log file, and it is stopped by its own
/// PID only (SIGTERM, then SIGKILL if it does not leave in time), never by name.
/// </summary>
internal sealed class ChildProcess : IAsyncDisposable
{
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The shell only redirects, then replaces itself with the program (same PID). Output goes
    /// straight to the file: were it piped through this process, a busy load generator reading
    /// slowly would fill the pipe and stall a target that logs per request.
    /// </summary>
    private const string RedirectAndExec = "log=$1; shift; exec \"$@\" >\"$log\" 2>&1 </dev/null";

    private readonly Process _process;

    private ChildProcess(string name, Process process, string logPath)
    {
        Name = name;
        _process = process;
        LogPath = logPath;
    }

    public string Name { get; }

    public int Pid => _process.Id;

    public string LogPath { get; }

    public bool HasExited => _process.HasExited;

    public static ChildProcess Start(string name, string fileName, IEnumerable<string> arguments, string logPath,
        IReadOnlyDictionary<string, string>? environment = null, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo("/bin/sh")
        {
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var argument in (string[])["-c", RedirectAndExec, "sh", logPath, fileName, .. arguments]) start.ArgumentList.Add(argument);
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) start.Environment[key] = value;
        var process = Process.Start(start) ?? throw new InvalidOperationException($"{name} did not start");
        return new ChildProcess(name, process, logPath);
    }

    /// <summary>Polls until <paramref name="ready"/> holds; fails early if the process died.</summary>
    public async Task WaitReadyAsync(Func<CancellationToken, Task<bool>> ready, TimeSpan limit, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + limit;
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited) throw new InvalidOperationException($"{Name} exited with code {_process.ExitCode}; see {LogPath}");
            try
            {
                if (await ready(cancellationToken)) return;
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // Listening but slow to answer its first request (a loaded machine): ask again.
            }
            await Task.Delay(100, cancellationToken);
        }
        throw new TimeoutException($"{Name} was not ready within {limit.TotalSeconds:0}s; see {LogPath}");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            Native.Terminate(_process.Id);
            using var grace = new CancellationTokenSource(StopGrace);
            try
            {
                await _process.WaitForExitAsync(grace.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill();
                await _process.WaitForExitAsync();
            }
        }
        _process.Dispose();
    }
}
