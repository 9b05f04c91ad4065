using System.Net;

namespace Tollgate.Upstreams.OpenAiCompatible;

/// <summary>One pooled HTTP client for every OpenAI-compatible backend.</summary>
internal sealed class UpstreamHttp : IDisposable
{
    public UpstreamHttp()
    {
        Client = new HttpMessageInvoker(new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
            ConnectTimeout = TimeSpan.FromSeconds(10),
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            UseProxy = false,
            AllowAutoRedirect = false,
            MaxConnectionsPerServer = int.MaxValue,
            EnableMultipleHttp2Connections = true,
        }, disposeHandler: true);
    }

    public HttpMessageInvoker Client { get; }

    public void Dispose() => Client.Dispose();
}
