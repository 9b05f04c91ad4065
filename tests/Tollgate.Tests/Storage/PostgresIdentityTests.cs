using System.Net;
using Tollgate.Hosting;
using Tollgate.Storage.Postgres;
using Tollgate.Tests.Infrastructure;
using static Tollgate.Tests.Infrastructure.TollgateCalls;

namespace Tollgate.Tests.Storage;

/// <summary>
/// On PostgreSQL as on SQLite: a database dropped and recreated empty under a running node, or one
/// that turns out to be another installation, trips readiness; a data directory that shows it kept
/// books is not silently started on an empty schema.
/// </summary>
[RequiresService(TestPostgres.Variable)]
public sealed class PostgresIdentityTests : IAsyncLifetime
{
    private const string Body = """{"model":"tg-mini","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}""";

    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "tollgate-tests", Guid.NewGuid().ToString("N"));
    private TestPostgres? _database;

    public async Task InitializeAsync() => _database = await TestPostgres.CreateAsync();

    public async Task DisposeAsync()
    {
        if (_database is not null) await _database.DisposeAsync();
        try
        {
            Directory.Delete(_dataDir, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    [ServiceFact]
    public async Task Readiness_SchemaDroppedAndRecreatedEmptyWhileServing_TripsAndRefusesRequests()
    {
        await using var app = new TollgateFactory(database: _database!.ConnectionString);
        using var probe = app.CreateClient();
        using var client = app.ApiClient();
        using (var ready = await probe.GetAsync("/readyz")) Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        using (var served = await client.PostAsync("/v1/chat/completions", JsonBody(Body))) Assert.Equal(HttpStatusCode.OK, served.StatusCode);

        await RecreateEmptyAsync();

        using (var ready = await probe.GetAsync("/readyz")) Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        using (var refused = await client.PostAsync("/v1/chat/completions", JsonBody(Body)))
            await AssertErrorAsync(refused, HttpStatusCode.ServiceUnavailable, "storage_unavailable", type: "server_error");
        Assert.Contains(app.Logs.Lines, line => line.Contains("no Tollgate tables", StringComparison.Ordinal));
    }

    [ServiceFact]
    public async Task Readiness_AnotherInstallationsDatabase_Trips()
    {
        await using var app = new TollgateFactory(database: _database!.ConnectionString);
        using var probe = app.CreateClient();
        using (var ready = await probe.GetAsync("/readyz")) Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        var ownId = await DatabaseIdAsync(app);

        // What a connection string pointed at another installation's books (restored beside this one) shows.
        await _database.ExecuteAsync("UPDATE settings SET value = 'someone-else' WHERE key = 'database_id'");

        using (var ready = await probe.GetAsync("/readyz")) Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Contains(app.Logs.Lines, line => line.Contains("another installation", StringComparison.Ordinal));

        // The right books again: the node serves again (an identity fault clears when the database is the right one).
        await _database.ExecuteAsync($"UPDATE settings SET value = '{ownId}' WHERE key = 'database_id'");
        using (var ready = await probe.GetAsync("/readyz")) Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
    }

    [ServiceFact]
    public async Task Start_PepperFileButEmptySchema_RefusedUnlessNewDatabase()
    {
        // No pepper given: the first start writes one into the data directory.
        var settings = Settings() with { KeyPepper = null };
        await StartAndStopAsync(settings);
        Assert.True(File.Exists(Path.Combine(_dataDir, DataDirectory.PepperFile)));
        await RecreateEmptyAsync();

        var refused = await Assert.ThrowsAsync<StartupException>(() => StartAndStopAsync(settings));

        Assert.Contains("--new-database", refused.Message, StringComparison.Ordinal);
        Assert.Contains("no Tollgate tables", refused.Message, StringComparison.Ordinal);
        // Nothing was created on the way to the refusal: the next start without the flag is refused again.
        await Assert.ThrowsAsync<StartupException>(() => StartAndStopAsync(settings));
        await StartAndStopAsync(settings with { NewDatabase = true });
        await StartAndStopAsync(settings);
    }

    [ServiceFact]
    public async Task Start_PepperFromTheEnvironmentAndEmptySchemaAfterServing_Refused()
    {
        // The documented cluster set-up: the pepper comes from TOLLGATE_KEY_PEPPER, so no pepper file shows the books existed.
        var settings = Settings();
        await StartAndStopAsync(settings);
        Assert.False(File.Exists(Path.Combine(_dataDir, DataDirectory.PepperFile)));
        Assert.True(File.Exists(Path.Combine(_dataDir, PostgresStorage.ServedFile)));
        await RecreateEmptyAsync();

        var refused = await Assert.ThrowsAsync<StartupException>(() => StartAndStopAsync(settings));
        Assert.Contains(PostgresStorage.ServedFile, refused.Message, StringComparison.Ordinal);
    }

    [ServiceFact]
    public async Task Start_NewDataDirectoryOnAnEmptySchema_Accepted()
    {
        await StartAndStopAsync(Settings());
        await StartAndStopAsync(Settings());
    }

    private ServeSettings Settings() => new()
    {
        DataDir = _dataDir,
        Demo = false,
        AdminToken = "test-admin-token-for-bootstrap",
        KeyPepper = "test-pepper-not-secret",
        Database = _database!.ConnectionString,
    };

    private async Task RecreateEmptyAsync()
    {
        await _database!.ExecuteAsync($"DROP SCHEMA {_database.Schema} CASCADE; CREATE SCHEMA {_database.Schema}");
    }

    private static async Task<string> DatabaseIdAsync(TollgateFactory app) =>
        (await File.ReadAllTextAsync(Path.Combine(app.DataDir, PostgresStorage.ServedFile))).Trim();

    private static async Task StartAndStopAsync(ServeSettings settings)
    {
        var boot = await Bootstrap.RunAsync(settings, TimeProvider.System, _ => { });
        await boot.Storage.DisposeAsync();
    }
}
