using System.Diagnostics;
using System.Net;
using Tollgate.Tests.Admin;
using Tollgate.Tests.Infrastructure;

namespace Tollgate.Tests.Cluster;

/// <summary>
/// With Redis, a catalog change made on one node is announced over pub/sub and the others reload
/// at once: here the version check is set to an hour, so only the announcement can carry it.
/// </summary>
[RequiresService(TestPostgres.Variable)]
[RequiresService(TestRedis.Variable)]
public sealed class CatalogAnnouncementTests : IAsyncLifetime
{
    private TestPostgres? _database;
    private TestRedis? _redis;
    private TollgateFactory? _a;
    private TollgateFactory? _b;

    public async Task InitializeAsync()
    {
        _database = await TestPostgres.CreateAsync();
        _redis = TestRedis.Create();
        _a = Node(demo: true);
        _ = _a.Boot;
        _b = Node(demo: false);
        // Both nodes serving (and subscribed) before anything is timed.
        foreach (var node in new[] { _a, _b })
        {
            using var api = node.ApiClient(_a.DemoApiKey);
            using var response = await api.GetAsync("/v1/models");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }

    public async Task DisposeAsync()
    {
        if (_a is not null) await _a.DisposeAsync();
        if (_b is not null) await _b.DisposeAsync();
        if (_redis is not null) await _redis.DisposeAsync();
        if (_database is not null) await _database.DisposeAsync();
    }

    [ServiceFact]
    public async Task KeyCreatedAndRevokedOnOneNode_OtherNodeFollowsTheAnnouncement_NotTheHourlyCheck()
    {
        var key = await _a!.CreateKeyAsync();
        var accepted = await UntilAsync(_b!, key.Secret, HttpStatusCode.OK);

        using (var admin = _a!.AdminClient()) await admin.PostJsonAsync($"/admin/v1/keys/{key.Id}/revoke", "{}", HttpStatusCode.OK);
        var refused = await UntilAsync(_b!, key.Secret, HttpStatusCode.Unauthorized);

        // Far below the hour the version check would take; generous for a loaded machine.
        Assert.True(accepted < TimeSpan.FromSeconds(30), $"accepted after {accepted}");
        Assert.True(refused < TimeSpan.FromSeconds(30), $"refused after {refused}");
    }

    private TollgateFactory Node(bool demo)
    {
        var node = new TollgateFactory(demo: demo, database: _database!.ConnectionString, redis: (_redis!.Configuration, _redis.Prefix));
        node.Configuration["Cluster:VersionCheckInterval"] = TimeSpan.FromHours(1).ToString();
        return node;
    }

    private static async Task<TimeSpan> UntilAsync(TollgateFactory node, string key, HttpStatusCode wanted)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            using var api = node.ApiClient(key);
            using var response = await api.GetAsync("/v1/models");
            if (response.StatusCode == wanted) return clock.Elapsed;
            await Task.Delay(50);
        }
        throw new TimeoutException($"node did not answer {wanted} within 60 s");
    }
}
