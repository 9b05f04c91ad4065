using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Tollgate.Storage;
using Tollgate.Tests.Admin;
using Tollgate.Tests.Infrastructure;

namespace Tollgate.Tests.Cluster;

/// <summary>Two gateway nodes on one PostgreSQL database: one set of books, and admin changes on one seen by the other.</summary>
[RequiresService(TestPostgres.Variable)]
public sealed class SharedDatabaseTests : IAsyncLifetime
{
    /// <summary>The bound documented in docs/deploy.md is the check interval plus a snapshot reload; tests use a short interval.</summary>
    private static readonly TimeSpan CheckInterval = TimeSpan.FromMilliseconds(200);

    private TestPostgres? _database;
    private TollgateFactory? _a;
    private TollgateFactory? _b;

    public async Task InitializeAsync()
    {
        _database = await TestPostgres.CreateAsync();
        _a = Node(demo: true);
        _ = _a.Boot;
        _b = Node(demo: false);
        // Both nodes are up before anything is timed: a node's first start (migrations checked,
        // snapshot loaded) is not part of the propagation bound.
        _ = _b.Boot;
        using var warm = _b.ApiClient(_a.DemoApiKey);
        using var response = await warm.GetAsync("/v1/models");
    }

    public async Task DisposeAsync()
    {
        if (_a is not null) await _a.DisposeAsync();
        if (_b is not null) await _b.DisposeAsync();
        if (_database is not null) await _database.DisposeAsync();
    }

    [ServiceFact]
    public async Task Chat_ThroughEitherNode_LandsInOneSetOfBooksThatReconciles()
    {
        foreach (var node in new[] { _a!, _b!, _a!, _b! })
        {
            using var api = node.ApiClient(_a!.DemoApiKey);
            using var response = await api.PostAsync("/v1/chat/completions", TollgateCalls.JsonBody("""{"model":"tg-mini","messages":[{"role":"user","content":"hi"}]}"""));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal(4, (await _b!.UsageAsync()).Count);
        var a = _a!;
        var report = await a.Services.GetRequiredService<IReconciler>().ReconcileAsync(null);
        Assert.True(report.Agrees, string.Join("; ", report.Differences));
        Assert.Equal((await a.UsageAsync()).Sum(u => u.ChargedAmount), report.Rows.Sum(r => r.Ledger));
    }

    [ServiceFact]
    public async Task KeyCreatedAndRevokedOnOneNode_TheOtherFollowsWithinTheCheckInterval()
    {
        var a = _a!;
        var key = await a.CreateKeyAsync();
        var accepted = await WithinAsync(() => StatusAsync(_b!, key.Secret), HttpStatusCode.OK);

        using (var admin = a.AdminClient()) await admin.PostJsonAsync($"/admin/v1/keys/{key.Id}/revoke", "{}", HttpStatusCode.OK);
        var refused = await WithinAsync(() => StatusAsync(_b!, key.Secret), HttpStatusCode.Unauthorized);

        // A check interval, a reload and a request; generous for a loaded CI machine.
        Assert.True(accepted < TimeSpan.FromSeconds(5), $"accepted after {accepted}");
        Assert.True(refused < TimeSpan.FromSeconds(5), $"refused after {refused}");
    }

    private TollgateFactory Node(bool demo)
    {
        var node = new TollgateFactory(demo: demo, database: _database!.ConnectionString);
        node.Configuration["Cluster:VersionCheckInterval"] = CheckInterval.ToString();
        return node;
    }

    private static async Task<HttpStatusCode> StatusAsync(TollgateFactory node, string key)
    {
        using var api = node.ApiClient(key);
        using var response = await api.GetAsync("/v1/models");
        return response.StatusCode;
    }

    private static async Task<TimeSpan> WithinAsync(Func<Task<HttpStatusCode>> probe, HttpStatusCode wanted)
    {
        var clock = Stopwatch.StartNew();
        while (await probe() != wanted)
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(30)) throw new TimeoutException($"Still not {wanted} after {clock.Elapsed}.");
            await Task.Delay(50);
        }
        return clock.Elapsed;
    }
}
