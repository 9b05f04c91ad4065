using System.Net;
using System.Net.Sockets;

namespace Tollgate.Tests.Infrastructure;

/// <summary>
/// A loopback port whose listener never accepts: its backlog is filled, so the kernel drops every
/// further connection attempt and a client's connect hangs until its own timeout, as with a stuck backend.
/// </summary>
internal sealed class UnacceptingListener : IDisposable
{
    private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private readonly List<Socket> _fillers = [];

    private UnacceptingListener()
    {
    }

    public int Port => ((IPEndPoint)_listener.LocalEndPoint!).Port;

    public string BaseUrl => $"http://127.0.0.1:{Port}/v1";

    public static async Task<UnacceptingListener> StartAsync()
    {
        var listener = new UnacceptingListener();
        listener._listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener._listener.Listen(0);
        for (var i = 0; i < 64; i++)
        {
            var filler = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            using var patience = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
            try
            {
                await filler.ConnectAsync(new IPEndPoint(IPAddress.Loopback, listener.Port), patience.Token);
                listener._fillers.Add(filler);
            }
            catch (OperationCanceledException)
            {
                // This attempt hung: the backlog is full.
                filler.Dispose();
                return listener;
            }
        }
        listener.Dispose();
        throw new InvalidOperationException("The listener's backlog never filled.");
    }

    public void Dispose()
    {
        foreach (var filler in _fillers) filler.Dispose();
        _listener.Dispose();
    }
}
