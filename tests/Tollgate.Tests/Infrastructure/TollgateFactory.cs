using System.ClientModel;
using System.ClientModel.Primitives;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenAI;
using Tollgate.Hosting;

namespace Tollgate.Tests.Infrastructure;

/// <summary>
/// Tollgate in-process on a real SQLite database in a fresh temporary data directory, with the
/// demo catalog unless told otherwise. Built from the same composition root as <c>serve</c>.
/// The demo's <c>tg-embed</c> runs on the simulator unless a test asks for the built-in model.
/// </summary>
internal sealed class TollgateFactory : WebApplicationFactory<Program>
{
    public const string AdminToken = "test-admin-token-for-tollgate-tests";

    private BootstrapResult? _boot;

    /// <param name="time">The clock; <see cref="TestClock"/>'s unless a test fakes it.</param>
    /// <param name="demo">Seed the demo catalog and customer on a new data directory.</param>
    /// <param name="dataDir">An existing data directory, to start again on what an earlier factory (with <see cref="KeepDataDir"/>) left.</param>
    /// <param name="simulatedEmbeddings">Serve <c>tg-embed</c> on the simulator rather than the in-process model, so tests stay fast.</param>
    /// <param name="database">A PostgreSQL connection string to keep the books in instead of the data directory's SQLite file.</param>
    /// <param name="redis">A Redis configuration for shared counters (needs <paramref name="database"/>), with its key prefix.</param>
    /// <param name="adminToken">The operator's admin token (<c>TOLLGATE_ADMIN_TOKEN</c>); <see cref="AdminToken"/> unless a test rotates it.</param>
    public TollgateFactory(TimeProvider? time = null, bool demo = true, string? dataDir = null, bool simulatedEmbeddings = true, string? database = null,
        (string Configuration, string Prefix)? redis = null, string adminToken = AdminToken)
    {
        Time = time ?? TestClock.Create();
        DataDir = dataDir ?? Path.Combine(Path.GetTempPath(), "tollgate-tests", Guid.NewGuid().ToString("N"));
        Settings = new ServeSettings
        {
            DataDir = DataDir,
            Demo = demo,
            SimulatedEmbeddings = simulatedEmbeddings,
            AdminToken = adminToken,
            KeyPepper = "test-pepper-not-secret",
            // Tests do not lose power: an fsync per commit would only slow them on a shared machine.
            FullDurability = false,
            Urls = "http://localhost",
            Database = database,
            Redis = redis?.Configuration,
            RedisPrefix = redis?.Prefix ?? Tollgate.Storage.Redis.SharedState.DefaultPrefix,
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

    /// <summary>
    /// Spend tiers on, with the default table unless <see cref="Configuration"/> says otherwise.
    /// Off by default here, so tests of other limits are not also rate-limited by the free tier.
    /// </summary>
    public bool Tiers { get; init; }

    /// <summary>Configuration keys (e.g. <c>Tiers:Levels:0:Name</c>) the host starts with.</summary>
    public Dictionary<string, string?> Configuration { get; } = [];

    /// <summary>
    /// Lets webhooks reach receivers on loopback (the tests' own), which production refuses unless allowlisted.
    /// Off for tests of that refusal.
    /// </summary>
    public bool AllowLoopbackWebhooks { get; init; } = true;

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
        builder.UseSetting("Tiers:Enabled", Tiers ? "true" : "false");
        if (AllowLoopbackWebhooks)
        {
            builder.UseSetting("Webhooks:AllowedInternalHosts:0", "127.0.0.1");
            builder.UseSetting("Webhooks:AllowedInternalHosts:1", "localhost");
        }
        foreach (var (key, value) in Configuration) builder.UseSetting(key, value);
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

    /// <summary>
    /// Serves on a real loopback port (Kestrel) instead of the in-memory server, for a browser to reach.
    /// Call before anything else touches the factory; returns the base address.
    /// </summary>
    public Uri StartKestrel()
    {
        UseKestrel(0);
        StartServer();
        var addresses = Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses;
        return new Uri(addresses.First().Replace("[::]", "127.0.0.1", StringComparison.Ordinal));
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        // A host never built (or built and stopped) leaves the storage for the factory to release.
        if (_boot is not null) await _boot.Storage.DisposeAsync();
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
