using System.Net;
using System.Net.Sockets;

namespace Tollgate.Bench.Hosting;

/// <summary>A loopback port nobody listens on, for the next process to bind.</summary>
internal static class FreePort
{
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
