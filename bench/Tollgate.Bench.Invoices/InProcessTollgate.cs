using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;
using Tollgate.Hosting;

namespace Tollgate.Bench.Invoices;

/// <summary>
/// Tollgate built from the same composition root as <c>tollgate serve</c>, listening on a loopback
/// port in this process (the load generator shares the process and its two cores).
/// </summary>
internal sealed class InProcessTollgate : IAsyncDisposable
{
    private readonly WebApplication _app;

    private InProcessTollgate(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    public Uri Address { get; }

    public static async Task<InProcessTollgate> StartAsync(ServeSettings settings)
    {
        var boot = await Bootstrap.RunAsync(settings, TimeProvider.System, _ => { });
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
        builder.WebHost.UseUrls(settings.Urls);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        TollgateHost.ConfigureServices(builder.Services, builder.Configuration, settings, boot, TimeProvider.System);
        var app = builder.Build();
        TollgateHost.ConfigurePipeline(app);
        await app.StartAsync();
        return new InProcessTollgate(app, new Uri(settings.Urls));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
