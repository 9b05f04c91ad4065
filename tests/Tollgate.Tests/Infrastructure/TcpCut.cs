using System.Net;
using System.Net.Sockets;

namespace Tollgate.Tests.Infrastructure;

/// <summary>
/// A TCP relay on a loopback port in front of a server, which the test can cut: every open
/// connection is dropped and new ones are refused until it is restored. One node's network
/// partition from Redis, without touching the others.
/// </summary>
internal sealed class TcpCut : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _target;
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<TcpClient> _open = [];
    private volatile bool _cut;

    public TcpCut(int targetPort)
    {
        _target = targetPort;
        _listener.Start();
        _ = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public void Cut()
    {
        _cut = true;
        lock (_open)
        {
            foreach (var client in _open) client.Dispose();
            _open.Clear();
        }
    }

    public void Restore() => _cut = false;

    private async Task AcceptAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            TcpClient inbound;
            try
            {
                inbound = await _listener.AcceptTcpClientAsync(_stopping.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            if (_cut)
            {
                inbound.Dispose();
                continue;
            }
            _ = RelayAsync(inbound);
        }
    }

    private async Task RelayAsync(TcpClient inbound)
    {
        var outbound = new TcpClient();
        try
        {
            await outbound.ConnectAsync(IPAddress.Loopback, _target, _stopping.Token);
            lock (_open)
            {
                _open.Add(inbound);
                _open.Add(outbound);
            }
            var a = inbound.GetStream().CopyToAsync(outbound.GetStream(), _stopping.Token);
            var b = outbound.GetStream().CopyToAsync(inbound.GetStream(), _stopping.Token);
            await Task.WhenAny(a, b);
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
        finally
        {
            inbound.Dispose();
            outbound.Dispose();
        }
    }

    public ValueTask DisposeAsync()
    {
        _stopping.Cancel();
        _listener.Stop();
        Cut();
        _stopping.Dispose();
        return ValueTask.CompletedTask;
    }
}
