using System.Diagnostics;
using System.Globalization;
using StackExchange.Redis;

namespace Tollgate.Tests.Infrastructure;

/// <summary>
/// A redis-server of the test's own on a free loopback port, without persistence, so the test can
/// kill it (by its process id) and start it again empty: a Redis restart or loss.
/// </summary>
internal sealed class OwnRedis : IAsyncDisposable
{
    private Process? _process;

    public int Port { get; } = Cli.TollgateProcess.FreePort();

    public string Configuration => $"127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}";

    public async Task StartAsync()
    {
        var info = new ProcessStartInfo("redis-server") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "--bind", "127.0.0.1", "--port", Port.ToString(CultureInfo.InvariantCulture), "--save", "", "--appendonly", "no" })
            info.ArgumentList.Add(arg);
        _process = Process.Start(info)!;
        _process.OutputDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        for (var i = 0; i < 100; i++)
        {
            try
            {
                await using var connection = await ConnectionMultiplexer.ConnectAsync(Configuration + ",connectTimeout=200");
                await connection.GetDatabase().PingAsync();
                return;
            }
            catch (RedisConnectionException)
            {
                await Task.Delay(50);
            }
        }
        throw new TimeoutException("redis-server did not start.");
    }

    public async Task StopAsync()
    {
        if (_process is null) return;
        _process.Kill();
        await _process.WaitForExitAsync();
        _process.Dispose();
        _process = null;
    }

    public async ValueTask DisposeAsync() => await StopAsync();
}
