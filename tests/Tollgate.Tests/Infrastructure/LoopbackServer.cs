using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;

namespace Tollgate.Tests.Infrastructure;

/// <summary>A real Kestrel server on 127.0.0.1 at a port the OS picks, for test peers of the gateway.</summary>
internal static class LoopbackServer
{
    /// <summary>Builds the server, lets <paramref name="map"/> add its routes, starts it, and returns it with its port.</summary>
    public static async Task<(WebApplication App, int Port)> StartAsync(Action<WebApplication> map)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        map(app);
        await app.StartAsync();
        return (app, new Uri(app.Urls.First()).Port);
    }
}
