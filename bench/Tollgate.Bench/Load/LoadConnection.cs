using System.Net;
using System.Net.Sockets;

namespace Tollgate.Bench.Load;

/// <summary>How one request ended, as the load generators count it.</summary>
internal enum RequestOutcome
{
    Ok,
    /// <summary>An HTTP status other than the expected one (200, or the refusal a scenario expects).</summary>
    HttpError,
    /// <summary>A 200 stream that did not end with <c>data: [DONE]</c>.</summary>
    Incomplete,
    /// <summary>The connection failed or the response could not be read.</summary>
    IoError,
}

/// <summary>
/// One keep-alive HTTP/1.1 connection that sends a prebuilt request and reads one response at a
/// time. Raw sockets keep the generator's own CPU per request small, since it shares the cores
/// with what it measures.
/// </summary>
internal sealed class LoadConnection(IPEndPoint endpoint, bool expectStreamEnd, int expectedStatus = 200) : IDisposable
{
    private static readonly byte[] StreamEnd = "data: [DONE]"u8.ToArray();
    private readonly byte[] _buffer = new byte[64 * 1024];
    private readonly ResponseReader _reader = new();
    private Socket? _socket;

    /// <summary>When the request now in flight was meant to be sent (open loop) or was sent (closed loop).</summary>
    public long StartedAt { get; set; }

    /// <summary>Whether the request now in flight falls in the measured window.</summary>
    public bool Measured { get; set; }

    public LoadStats Stats { get; } = new();

    public async Task ConnectAsync(CancellationToken cancellationToken)
    {
        _socket?.Dispose();
        var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(endpoint, cancellationToken);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        _socket = socket;
    }

    /// <summary>Sends from the calling thread: the open-loop pacer sends at the intended instant, not after a thread hop.</summary>
    public bool TrySend(byte[] request)
    {
        try
        {
            var socket = _socket ?? throw new SocketException((int)SocketError.NotConnected);
            var sent = 0;
            while (sent < request.Length) sent += socket.Send(request, sent, request.Length - sent, SocketFlags.None);
            return true;
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            return false;
        }
    }

    public async ValueTask<bool> TrySendAsync(byte[] request, CancellationToken cancellationToken)
    {
        try
        {
            var socket = _socket ?? throw new SocketException((int)SocketError.NotConnected);
            var sent = 0;
            while (sent < request.Length) sent += await socket.SendAsync(request.AsMemory(sent), SocketFlags.None, cancellationToken);
            return true;
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            return false;
        }
    }

    public async ValueTask<RequestOutcome> ReceiveAsync(CancellationToken cancellationToken)
    {
        _reader.Reset();
        try
        {
            var socket = _socket ?? throw new SocketException((int)SocketError.NotConnected);
            while (true)
            {
                var read = await socket.ReceiveAsync(_buffer, SocketFlags.None, cancellationToken);
                if (read == 0) return RequestOutcome.IoError;
                if (_reader.Feed(_buffer.AsSpan(0, read))) break;
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or InvalidDataException)
        {
            return RequestOutcome.IoError;
        }
        if (_reader.ConnectionClose) await ConnectAsync(cancellationToken);
        if (_reader.StatusCode != expectedStatus) return RequestOutcome.HttpError;
        return expectedStatus != 200 || !expectStreamEnd || _reader.BodyEndsWith(StreamEnd) ? RequestOutcome.Ok : RequestOutcome.Incomplete;
    }

    /// <summary>After a failure the connection's state is unknown: start a fresh one.</summary>
    public async Task RecoverAsync(CancellationToken cancellationToken)
    {
        try
        {
            await ConnectAsync(cancellationToken);
        }
        catch (SocketException)
        {
            // The target is down or refusing: back off so a dead target does not spin the generator.
            _socket?.Dispose();
            _socket = null;
            await Task.Delay(100, cancellationToken);
        }
    }

    public void Dispose() => _socket?.Dispose();
}
