using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using OpenTelemetry.Metrics;
using Scalar.AspNetCore;
using Tollgate.Admin;
using Tollgate.Budgets;
using Tollgate.Catalog;
using Tollgate.ChatHistory;
using Tollgate.Gates;
using Tollgate.Gateway;
using Tollgate.Gateway.Responses;
using Tollgate.Gateway.Stages;
using Tollgate.Security;
using Tollgate.Storage.Redis;
using Tollgate.Storage;
using Tollgate.Tokenization;
using Tollgate.Upstreams;
using Tollgate.Upstreams.OpenAiCompatible;
using Tollgate.Upstreams.Simulator;
using Tollgate.Web;
using Tollgate.Webhooks;

namespace Tollgate.Hosting;

/// <summary>
/// The composition root, shared by <c>tollgate serve</c> and the tests' host: one list of services
/// and one request pipeline, so what is tested is what runs.
/// </summary>
internal static class TollgateHost
{
    private const string ReadyTag = "ready";

    public static void ConfigureServices(IServiceCollection services, IConfiguration configuration, ServeSettings settings, BootstrapResult boot, TimeProvider time)
    {
        services.AddRouting();
        services.AddSingleton(time);
        services.AddSingleton(settings);
        services.AddOptions<GatewayOptions>().BindConfiguration(GatewayOptions.Section)
            .Validate(o => o.MaxRequestBytes > 0 && o.MaxChoices > 0, "Gateway limits must be positive.").ValidateOnStart();
        services.AddOptions<MoneyBounds>().BindConfiguration(MoneyBounds.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<MoneyBounds>, MoneyBoundsValidator>();

        // Storage: the embedded database or PostgreSQL, every store behind its interface. The backend is
        // registered through a factory so the host disposes it (and releases the SQLite lock) when it stops.
        services.AddSingleton(_ => boot.Storage);
        boot.Storage.AddServices(services);
        services.AddSingleton<StorageGuard>();
        services.AddHostedService<StorageProbe>();
        services.AddSingleton(boot.Hasher);
        services.AddSingleton(boot.Catalog);
        services.AddSingleton(boot.Models);
        services.AddSingleton(boot.Customers);
        services.AddSingleton(boot.Wallets);
        services.AddSingleton(boot.AdminTokens);
        services.AddSingleton<Invoicing.InvoiceRuns>();
        services.AddSingleton<Economics.EconomicsReports>();

        // Catalog snapshot.
        var state = new CatalogState();
        state.Swap(boot.Snapshot);
        services.AddSingleton(state);
        services.AddSingleton<CatalogRefresher>();
        if (boot.Storage.Shared)
        {
            // Other nodes change the catalog too: poll its version (real time, so a fake test clock cannot stall it).
            var interval = configuration.GetValue(CatalogVersionWatch.IntervalSetting, CatalogVersionWatch.DefaultInterval);
            services.AddHostedService(sp => new CatalogVersionWatch(sp.GetRequiredService<ICatalogStore>(), state, sp.GetRequiredService<CatalogRefresher>(),
                TimeProvider.System, sp.GetRequiredService<ILogger<CatalogVersionWatch>>()) { Interval = interval });
        }

        // Shared counters (Redis) when the nodes of a cluster need them; else every counter is in memory.
        if (boot.Shared is { } shared)
        {
            // A burst on a cold node queues work faster than the pool adds threads (about one per half second), and
            // Redis's answers wait in that queue: seen as timeouts on a healthy Redis. Start with enough workers.
            ThreadPool.GetMinThreads(out var workers, out var io);
            ThreadPool.SetMinThreads(Math.Max(workers, 64), io);
            services.AddSingleton(sp =>
            {
                shared.Logger = sp.GetRequiredService<ILogger<Storage.Redis.SharedState>>();
                return shared;
            });
            var defaults = new Storage.Redis.SharedOptions();
            services.AddSingleton(new Storage.Redis.SharedOptions
            {
                Lease = configuration.GetValue("Redis:Lease", defaults.Lease),
                EpochCheck = configuration.GetValue("Redis:EpochCheck", defaults.EpochCheck),
                EpochGrace = configuration.GetValue("Redis:EpochGrace", defaults.EpochGrace),
                SyncInterval = configuration.GetValue("Redis:SyncInterval", defaults.SyncInterval),
            });
            services.AddSingleton<Storage.Redis.RedisAccounts>();
            services.AddSingleton<ISharedAccounts>(sp => sp.GetRequiredService<Storage.Redis.RedisAccounts>());
            services.AddHostedService<Storage.Redis.SharedEpochWatch>();
            services.AddHostedService<Storage.Redis.SharedLedgerSync>();
            services.AddSingleton<Limits.ILimitCounters, Storage.Redis.RedisLimits>();
            services.AddSingleton<Storage.Redis.RedisCatalogChannel>();
            services.AddSingleton<ICatalogAnnouncer>(sp => sp.GetRequiredService<Storage.Redis.RedisCatalogChannel>());
            services.AddHostedService(sp => sp.GetRequiredService<Storage.Redis.RedisCatalogChannel>());
        }

        // Spend accounts: funds from the ledger, limits from the snapshot, kept in step by the refresher;
        // budget thresholds crossed on settlement become webhook events.
        services.AddSpendTiers();
        services.AddSingleton(sp =>
        {
            var tiers = sp.GetRequiredService<Tiers>();
            var accounts = new Accounts(time, sp.GetService<IBudgetObserver>(), tiers.Enabled ? tiers : null, sp.GetService<ISharedAccounts>());
            accounts.Load(boot.Totals, boot.Snapshot);
            return accounts;
        });
        services.AddSingleton(sp => new HeldAccounts(boot.Held, sp.GetRequiredService<ILogger<HeldAccounts>>()));
        services.AddHostedService(sp => sp.GetRequiredService<HeldAccounts>());
        services.AddWebhooks();

        // Subscriptions: allowance windows in Redis across a cluster (rebuilt per subscription from the usage events when
        // absent), else in memory, rebuilt at start from the included usage of the longest window (31 days); renewals on a timer.
        if (boot.Shared is not null)
        {
            services.AddSingleton<Subscriptions.IAllowanceWindows, Storage.Redis.RedisAllowances>();
        }
        else
        {
            services.AddSingleton<Subscriptions.IAllowanceWindows>(sp =>
            {
                var allowances = new Subscriptions.Allowances(time);
                var history = sp.GetRequiredService<ISubscriptionStore>().UnitsSinceAsync(time.GetUtcNow() - Subscriptions.Allowances.History).GetAwaiter().GetResult();
                allowances.Load(boot.Snapshot, history);
                return allowances;
            });
        }
        services.AddSingleton<Subscriptions.SubscriptionLifecycle>();
        services.AddHostedService<Subscriptions.SubscriptionRenewals>();
        services.AddGates();
        services.AddChatHistory();
        services.AddResponseStorage();
        services.AddSingleton<GrantExpiryService>();
        services.AddHostedService(sp => sp.GetRequiredService<GrantExpiryService>());

        // Backends.
        services.AddSingleton<TokenCounter>();
        services.AddSingleton<SimulatedText>();
        services.AddOptions<UpstreamHttpOptions>().BindConfiguration(UpstreamHttpOptions.Section)
            .Validate(o => o.ConnectTimeoutSeconds is > 0 and <= 300, "Upstreams:ConnectTimeoutSeconds must be more than 0 and at most 300.").ValidateOnStart();
        services.AddSingleton<UpstreamHttp>();
        services.AddOptions<UpstreamOptions>().BindConfiguration(UpstreamOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<UpstreamOptions>, UpstreamOptionsValidator>();
        services.AddSingleton<UpstreamCredentials>();
        services.AddSingleton<IModelBackend, OpenAiBackend>();
        services.AddSingleton<IModelBackend, Upstreams.Anthropic.AnthropicBackend>();
        services.AddSingleton<IModelBackend, SimulatorBackend>();
        services.AddSingleton<LocalModels.Embeddings.MiniLmEmbedder>();
        services.AddSingleton<LocalModels.Llama.LlamaModelCache>();
        services.AddSingleton<Upstreams.Local.LocalQueues>();
        services.AddSingleton<IModelBackend, Upstreams.Local.LocalEmbeddingsBackend>();
        services.AddSingleton<IModelBackend, Upstreams.Local.LlamaBackend>();
        services.AddHostedService<Upstreams.Local.LocalModelWarmup>();
        services.AddSingleton<BackendRegistry>();
        services.AddSingleton<BackendHealth>();
        services.AddSingleton<BackendResilience>();
        services.AddOptions<UpstreamResilienceOptions>().BindConfiguration(UpstreamResilienceOptions.Section)
            .Validate(o => o.Retries is >= 0 and <= 10 && o.RetryDelayMs >= 0 && o.MaxRetryAfterSeconds >= 0 && o.BreakerFailureRatio is > 0 and <= 1
                           && o.BreakerMinimumThroughput >= 2 && o.BreakerSamplingSeconds >= 0.5 && o.BreakerBreakSeconds >= 0.5,
                "Upstreams:Resilience: Retries 0-10, delays non-negative, BreakerFailureRatio above 0 up to 1, BreakerMinimumThroughput at least 2, sampling and break at least 0.5 s.")
            .ValidateOnStart();
        services.AddSingleton<BackendRouter>();

        // The request path.
        services.AddOptions<AuthFailureOptions>().BindConfiguration(AuthFailureOptions.Section)
            .Validate(o => o.AuthFailuresPerWindow > 0 && o.AuthFailureWindow > TimeSpan.Zero, "Authentication failure limits must be positive.").ValidateOnStart();
        services.AddSingleton<AuthFailureThrottle>();
        services.AddSingleton<Authenticate>();
        services.AddSingleton<Admit>();
        services.AddSingleton<Reserve>();
        services.AddSingleton<Limit>();
        services.AddSingleton<Allowance>();
        services.TryAddSingleton<Limits.ILimitCounters, Limits.MemoryLimits>();
        services.AddSingleton<Limits.RateLimiter>();
        services.AddSingleton<Forward>();
        services.AddSingleton<Meter>();
        services.AddSingleton<Settle>();
        services.AddSingleton<Respond>();
        services.AddSingleton<Relay>();
        services.AddSingleton<GatewayPipeline>();
        services.AddSingleton<ModelsEndpoint>();
        services.AddSingleton<Gateway.Messages.CountTokensEndpoint>();
        services.AddSingleton<AccountEndpoint>();
        services.AddSingleton<AccountBillingEndpoints>();
        services.AddSingleton<GatewayMetrics>();

        // Admin API; its application services are the console's too.
        services.AddSingleton<AdminTokenVerifier>();
        services.AddSingleton<Admin.Services.CustomerService>();
        services.AddSingleton<Admin.Services.KeyService>();
        services.AddSingleton<Admin.Services.WalletService>();
        services.AddSingleton<Admin.Services.InvoiceService>();
        Portal.PortalServices.AddPortal(services);
        var authentication = services.AddAuthentication()
            .AddScheme<AuthenticationSchemeOptions, AdminTokenAuthentication>(AdminTokenAuthentication.SchemeName, null);
        authentication.AddConsoleSession();
        authentication.AddPortalSession();
        services.AddAuthorization(options => options.AddAdminPolicies());
        // The operator console and the chat page.
        services.AddTollgateWeb();
        services.ConfigureHttpJsonOptions(options =>
        {
            options.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
            // A number is a number: "10" is not read as 10 (the web defaults would).
            options.SerializerOptions.NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.Strict;
            options.SerializerOptions.Encoder = JsonWriting.Options.Encoder;
            options.SerializerOptions.TypeInfoResolverChain.Insert(0, AdminJson.Default);
            options.SerializerOptions.TypeInfoResolverChain.Insert(1, Portal.PortalJson.Default);
        });

        services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(GatewayMetrics.MeterName)
            .AddAspNetCoreInstrumentation()
            .AddPrometheusExporter());
        services.AddOpenApi(options => options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "Tollgate admin API";
            document.Info.Description = "The control plane: customers, API keys, the model catalog, usage, admin tokens and the audit log. " +
                "Authenticate with 'Authorization: Bearer <admin token>'. The data plane under /v1 is OpenAI's API.";
            return Task.CompletedTask;
        }));
        var health = services.AddHealthChecks().AddCheck<StorageHealthCheck>("database", tags: [ReadyTag]);
        if (boot.Shared is not null) health.AddCheck<Storage.Redis.SharedStateHealthCheck>("redis", tags: [ReadyTag]);
        // Keys for anything the framework protects stay in the data directory, not the user's profile.
        // The key ring is plain XML: its directory is created owner-only, and each key file is written atomically.
        var protectionKeys = Path.Combine(settings.DataDir, "protection-keys");
        DataDirectory.Ensure(protectionKeys);
        services.AddDataProtection();
        services.AddOptions<KeyManagementOptions>().Configure<ILoggerFactory>((options, logs) =>
            options.XmlRepository = new KeyRingFiles(protectionKeys, logs.CreateLogger<KeyRingFiles>()));
        services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(30));

        // Last, so every store registered above is behind it: a call that fails on a broken storage trips the gateway.
        StorageFaultWatch.WatchStores(services);
    }

    public static void ConfigurePipeline(IApplicationBuilder app)
    {
        var requestTime = app.ApplicationServices.GetRequiredService<TimeProvider>();
        app.Use((context, next) =>
        {
            RequestIds.Assign(context, requestTime);
            return next(context);
        });
        app.UseClientFaults();
        app.UseStatusCodePages(context => WriteBareStatusAsync(context.HttpContext));
        app.UseSharedStateOutage();
        app.UseStorageFaultAnswer();
        app.UseBrowserSecurityHeaders();
        app.UseRouting();
        app.UseAdminIdempotency();
        // No UseAuthentication: each admin policy names its scheme, so only admin routes ever
        // authenticate an admin token, and data-plane requests never pay for it.
        app.UseAuthorization();
        app.UseAdminBodyCheck();
        app.UseEndpoints(endpoints =>
        {
            endpoints.MapGateway();
            endpoints.MapAdmin();
            endpoints.MapTollgateWeb();
            endpoints.MapPrometheusScrapingEndpoint("/metrics");
            // The API description and its browsable reference describe routes, never data: no token needed.
            endpoints.MapOpenApi("/openapi/{documentName}.json");
            endpoints.MapScalarApiReference("/admin/reference", options => options
                .WithTitle("Tollgate admin API")
                .WithOpenApiRoutePattern("/openapi/{documentName}.json"));
            // Liveness runs no checks; readiness asks the database.
            endpoints.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = _ => false });
            endpoints.MapHealthChecks("/readyz", new HealthCheckOptions { Predicate = check => check.Tags.Contains(ReadyTag) });
        });
    }

    /// <summary>A status without a body (405, an unmatched route) still answers in the one error shape.</summary>
    private static Task WriteBareStatusAsync(HttpContext context)
    {
        var status = context.Response.StatusCode;
        var error = status switch
        {
            StatusCodes.Status404NotFound => ApiError.NotFound($"Unknown request URL: {context.Request.Method} {context.Request.Path}."),
            StatusCodes.Status405MethodNotAllowed => new ApiError(status, "invalid_request_error", "method_not_allowed",
                $"{context.Request.Method} is not allowed on {context.Request.Path}."),
            StatusCodes.Status415UnsupportedMediaType => ApiError.InvalidRequest(
                "Send the request body as JSON, with the header 'Content-Type: application/json'.", "Content-Type", "unsupported_media_type") with { Status = status },
            _ => new ApiError(status, status >= 500 ? "server_error" : "invalid_request_error", null, $"The request failed with status {status}."),
        };
        context.Response.StatusCode = status;
        return ApiErrorWriter.WriteAsync(context, error);
    }
}
