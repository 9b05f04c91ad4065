using System.Net;
using Microsoft.Extensions.Options;

namespace Tollgate.Upstreams.OpenAiCompatible;

/// <summary>One pooled HTTP client for every OpenAI-compatible backend.</summary>
internal sealed class UpstreamHttp : IDisposable
{
    public UpstreamHttp(IOptions<UpstreamHttpOptions> options)
    {
        ConnectTimeout = TimeSpan.FromSeconds(options.Value.ConnectTimeoutSeconds);
        Client = new HttpMessageInvoker(new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
            ConnectTimeout = ConnectTimeout,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            // HTTPS_PROXY, HTTP_PROXY and NO_PROXY are honoured for upstreams; a backend on loopback is always reached directly.
            UseProxy = true,
            Proxy = new LoopbackDirect(HttpClient.DefaultProxy),
            AllowAutoRedirect = false,
            MaxConnectionsPerServer = int.MaxValue,
            EnableMultipleHttp2Connections = true,
        }, disposeHandler: true);
    }

    public HttpMessageInvoker Client { get; }

    /// <summary>How long a connection to a backend may take before the backend counts as unreachable.</summary>
    public TimeSpan ConnectTimeout { get; }

    public void Dispose() => Client.Dispose();
}

/// <summary>The environment's proxy, except for loopback addresses, which no proxy could reach.</summary>
internal sealed class LoopbackDirect(IWebProxy inner) : IWebProxy
{
    public ICredentials? Credentials
    {
        get => inner.Credentials;
        set => inner.Credentials = value;
    }

    public Uri? GetProxy(Uri destination) => destination.IsLoopback ? null : inner.GetProxy(destination);

    public bool IsBypassed(Uri host) => host.IsLoopback || inner.IsBypassed(host);
}

/// <summary>Settings of the connections to OpenAI-compatible backends (configuration section <c>Upstreams</c>).</summary>
internal sealed record UpstreamHttpOptions
{
    public const string Section = "Upstreams";

    /// <summary>A backend that has not accepted the connection by then is unreachable: the next one is tried.</summary>
    public double ConnectTimeoutSeconds { get; init; } = 10;
}
