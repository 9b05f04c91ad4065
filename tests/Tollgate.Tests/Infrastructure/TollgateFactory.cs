using System.ClientModel;
using System.ClientModel.Primitives;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenAI;
using Tollgate.Hosting;

namespace Tollgate.Tests.Infrastructure;

/// <summary>
/// Tollgate in-process on a real SQLite database in a fresh temporary data directory, with the
/// demo catalog unless told otherwise. Built from the same composition root as <c>serve</c>.
/// </summary>
internal sealed class TollgateFactory : WebApplicationFactory<Program>
{
    public const string AdminToken = "test-admin-token-for-tollgate-tests";

    private BootstrapResult? _boot;

    public TollgateFactory(TimeProvider? time = null, bool demo = true)
    {
        Time = time ?? TimeProvider.System;
        DataDir = Path.Combine(Path.GetTempPath(), "tollgate-tests", Guid.NewGuid().ToString("N"));
        Settings = new ServeSettings
        {
            DataDir = DataDir,
            Demo = demo,
            AdminToken = AdminToken,
            KeyPepper = "test-pepper-not-secret",
            Urls = "http://localhost",
        };
    }

    public TimeProvider Time { get; }

    public string DataDir { get; }

    public ServeSettings Settings { get; }

    public CapturedLogs Logs { get; } = new();

    public List<string> Announcements { get; } = [];

    public BootstrapResult Boot => _boot ??= Bootstrap.RunAsync(Settings, Time, Announcements.Add).GetAwaiter().GetResult();

    /// <summary>The demo customer's key, as printed at first start.</summary>
    public string DemoApiKey => Boot.DemoApiKey ?? throw new InvalidOperationException("This factory was created without demo data.");

    public string DatabasePath => Settings.DatabasePath;

    /// <summary>Configuration keys (as in appsettings, <c>Section:Name</c>) this app runs with, set before it starts.</summary>
    public Dictionary<string, string> Configuration { get; } = new(StringComparer.Ordinal);

    /// <summary>Leaves the data directory in place at dispose, for tests that read its files afterwards; they delete it.</summary>
    public bool KeepDataDir { get; init; }

    protected override IHostBuilder CreateHostBuilder() =>
        Host.CreateDefaultBuilder().ConfigureLogging(logging =>
        {
            logging.ClearProviders();
            logging.SetMinimumLevel(LogLevel.Trace);
            logging.AddProvider(Logs);
        });

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        var boot = Boot;
        foreach (var (name, value) in Configuration) builder.UseSetting(name, value);
        builder.ConfigureServices((context, services) => TollgateHost.ConfigureServices(services, context.Configuration, Settings, boot, Time));
        builder.Configure(TollgateHost.ConfigurePipeline);
    }

    /// <summary>The official OpenAI SDK, changed only in endpoint and key, with retries off.</summary>
    public OpenAIClient OpenAi(string? apiKey = null) => new(new ApiKeyCredential(apiKey ?? DemoApiKey), new OpenAIClientOptions
    {
        Endpoint = new Uri(Server.BaseAddress, "/v1"),
        Transport = new HttpClientPipelineTransport(CreateClient()),
        RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
    });

    public HttpClient ApiClient(string? apiKey = null)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey ?? DemoApiKey);
        return client;
    }

    public HttpClient AdminClient(string token = AdminToken)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        SqliteConnection.ClearAllPools();
        if (KeepDataDir) return;
        try
        {
            Directory.Delete(DataDir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
