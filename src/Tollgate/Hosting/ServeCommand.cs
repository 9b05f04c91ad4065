using System.CommandLine;

namespace Tollgate.Hosting;

/// <summary><c>tollgate serve</c>: options first, then <c>TOLLGATE_*</c> environment variables, then defaults.</summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var urls = new Option<string>("--urls")
        {
            Description = $"Where to listen (TOLLGATE_URLS). Default {ServeSettings.DefaultUrls}: loopback only.",
        };
        var dataDir = new Option<string>("--data-dir") { Description = "Directory of the embedded database and key pepper (TOLLGATE_DATA_DIR). Default ./data." };
        var noDemo = new Option<bool>("--no-demo") { Description = "Do not create the demo catalog, customer and key in a new database." };
        var simulatedEmbeddings = new Option<bool>("--simulated-embeddings")
        {
            Description = "In a new database, serve the demo's tg-embed from the simulator instead of the built-in MiniLM model (for load tests).",
        };
        var newDatabase = new Option<bool>("--new-database")
        {
            Description = "Create a new, empty database in a data directory that already has a key pepper (its database was deleted or moved). " +
                "Without it, such a start is refused.",
        };
        var durability = new Option<string>("--durability")
        {
            Description = "full: usage survives power loss and a filesystem error, an fsync per group commit (default); normal: only a killed process (TOLLGATE_DURABILITY).",
        };
        durability.AcceptOnlyFromAmong("normal", "full");
        var database = new Option<string>("--database")
        {
            Description = "PostgreSQL connection string shared by every node (TOLLGATE_DATABASE; prefer the variable, so the password stays off the command line). Default: SQLite in the data directory.",
        };
        var redis = new Option<string>("--redis")
        {
            Description = "Redis (e.g. 127.0.0.1:6379) for the counters every node shares: reservations, budgets, rate limits, allowances (TOLLGATE_REDIS). " +
                "Needs --database. Default: counters in this process's memory.",
        };
        var serve = new Command("serve", "Run the gateway, the admin API and metrics on the embedded database.") { urls, dataDir, noDemo, simulatedEmbeddings, newDatabase, durability, database, redis };
        serve.SetAction((ParseResult result, CancellationToken cancellationToken) =>
        {
            Func<string, string?> env = Environment.GetEnvironmentVariable;
            var settings = new ServeSettings
            {
                Urls = result.GetValue(urls) ?? env("TOLLGATE_URLS") ?? ServeSettings.DefaultUrls,
                DataDir = result.GetValue(dataDir) ?? env("TOLLGATE_DATA_DIR") ?? "data",
                Demo = !result.GetValue(noDemo),
                SimulatedEmbeddings = result.GetValue(simulatedEmbeddings),
                NewDatabase = result.GetValue(newDatabase),
                FullDurability = (result.GetValue(durability) ?? env("TOLLGATE_DURABILITY")) != "normal",
                AdminToken = env("TOLLGATE_ADMIN_TOKEN") is { Length: > 0 } token ? token : null,
                KeyPepper = env("TOLLGATE_KEY_PEPPER") is { Length: > 0 } pepper ? pepper : null,
                Database = result.GetValue(database) ?? (env("TOLLGATE_DATABASE") is { Length: > 0 } db ? db : null),
                Redis = result.GetValue(redis) ?? (env("TOLLGATE_REDIS") is { Length: > 0 } r ? r : null),
                RedisPrefix = env("TOLLGATE_REDIS_PREFIX") is { Length: > 0 } prefix ? prefix : Storage.Redis.SharedState.DefaultPrefix,
            };
            return RunAsync(settings, cancellationToken);
        });
        return serve;
    }

    private static async Task<int> RunAsync(ServeSettings settings, CancellationToken cancellationToken)
    {
        var time = TimeProvider.System;
        BootstrapResult boot;
        try
        {
            boot = await Bootstrap.RunAsync(settings, time, Console.WriteLine, cancellationToken);
        }
        catch (StartupException ex)
        {
            await Console.Error.WriteLineAsync($"tollgate: {ex.Message}");
            return 1;
        }
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddEnvironmentVariables("TOLLGATE_");
        builder.WebHost.UseUrls(settings.Urls);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);
        builder.Logging.ClearProviders();
        // Data protection guards the console's session cookie; its key chatter is noise.
        builder.Logging.AddFilter("Microsoft.AspNetCore.DataProtection", LogLevel.Error);
        // Per-request framework lines cost time on the hot path and say nothing metrics do not.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
            o.UseUtcTimestamp = true;
        });
        TollgateHost.ConfigureServices(builder.Services, builder.Configuration, settings, boot, time);
        await using var app = builder.Build();
        TollgateHost.ConfigurePipeline(app);
        await app.RunAsync();
        return 0;
    }
}
