using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Tollgate.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Tollgate.Tests.Cluster;

/// <summary>
/// The cluster's books under faults, with real processes, PostgreSQL and Redis: a Redis restarted
/// empty while requests hold money, a node cut off from Redis while its requests finish, and what
/// every node shows of a wallet. After each: nothing served beyond the wallet, every charge billed
/// once, and Redis equal to the ledger once it converged.
/// </summary>
[RequiresService(TestPostgres.Variable)]
[RequiresService(TestRedis.Variable)]
public sealed class ClusterFaultTests(ITestOutputHelper output) : IAsyncLifetime
{
    /// <summary>Input free, 16 output tokens at $3,125 per 1M: each request holds exactly what it is charged, $0.05.</summary>
    private const string HoldModel = "hold";

    private TestPostgres _database = null!;
    private StubUpstream _stub = null!;
    private TimeSpan _delay = TimeSpan.Zero;

    public async Task InitializeAsync()
    {
        _database = await TestPostgres.CreateAsync();
        _stub = await StubUpstream.StartAsync();
        _stub.On("hold", async (http, body, stopping) =>
        {
            await Task.Delay(_delay, stopping);
            await Stub.Completion(Stub.Usage(10, 16))(http, body, stopping);
        });
    }

    public async Task DisposeAsync()
    {
        await _stub.DisposeAsync();
        await _database.DisposeAsync();
    }

    [ServiceFact]
    public async Task RedisRestartedEmpty_RequestsStillHolding_ServesNothingBeyondTheWallet()
    {
        await using var redis = new OwnRedis();
        await redis.StartAsync();
        await using var cluster = Cluster(redis.Configuration);
        await cluster.StartAsync(3);
        var wallet = await HoldingCustomerAsync(cluster);

        // 20 slow requests hold the whole $1; a 21st is refused.
        _delay = TimeSpan.FromSeconds(10);
        var holding = Enumerable.Range(0, 20).Select(i => CallAsync(cluster, i % 3, wallet.Key)).ToList();
        await WaitForAsync(async () => (await Shared(redis.Configuration, wallet.CustomerId)).Held == 1m, "the 20 holds");
        Assert.Equal("insufficient_quota", (await CallAsync(cluster, 0, wallet.Key)).Code);

        await redis.StopAsync();
        await redis.StartAsync();
        await WaitForAsync(async () => (await Task.WhenAll(cluster.Nodes.Select(ReadyAsync))).All(r => r), "every node ready");
        _delay = TimeSpan.Zero;
        var after = new List<Call>();
        for (var i = 0; i < 20; i++) after.Add(await CallAsync(cluster, i % 3, wallet.Key));
        var held = await Task.WhenAll(holding);

        var converged = await ConvergedAsync(cluster, redis.Configuration, wallet.CustomerId);
        var (events, _) = await cluster.BooksAsync(wallet.CustomerId);
        output.WriteLine($"Redis restarted empty under 20 holding requests: {held.Count(c => c.Complete)} of them served, " +
            $"{after.Count(c => c.Complete)} of 20 more served ({string.Join(", ", after.Select(c => c.Code).Distinct())}), " +
            $"spent ${events.Values.Sum()}, Redis equal to the ledger {converged.TotalSeconds:F1} s after");
        Assert.All(held, c => Assert.True(c.Complete, $"{c.Status} {c.Code}"));
        Assert.DoesNotContain(after, c => c.Complete);
        Assert.Equal(1m, events.Values.Sum());
        Assert.Equal(0m, await cluster.LedgerBalanceAsync(wallet.CustomerId));
        Assert.Equal((0m, 0m), await Shared(redis.Configuration, wallet.CustomerId));
    }

    [ServiceFact]
    public async Task NodeCutOffFromRedis_ItsChargesReachRedisFromTheLedger_NothingServedTwice()
    {
        await using var redis = new OwnRedis();
        await redis.StartAsync();
        await using var cut = new TcpCut(redis.Port);
        await using var cluster = Cluster(redis.Configuration, lease: TimeSpan.FromSeconds(8));
        cluster.NodeVariables[2] = new(StringComparer.Ordinal) { ["TOLLGATE_REDIS"] = $"127.0.0.1:{cut.Port.ToString(CultureInfo.InvariantCulture)},asyncTimeout=2000" };
        await cluster.StartAsync(3);
        var wallet = await HoldingCustomerAsync(cluster);

        // Node 2 holds the whole wallet, then loses Redis while its requests finish: served and billed in PostgreSQL only.
        _delay = TimeSpan.FromSeconds(3);
        var holding = Enumerable.Range(0, 20).Select(_ => CallAsync(cluster, 2, wallet.Key)).ToList();
        await WaitForAsync(async () => (await Shared(redis.Configuration, wallet.CustomerId)).Held == 1m, "the 20 holds");
        cut.Cut();
        var held = await Task.WhenAll(holding);
        cluster.Nodes[2].Terminate();
        await cluster.Nodes[2].WaitForExitAsync(TimeSpan.FromSeconds(30));
        cut.Restore();
        await cluster.RestartAsync(2);

        // Once the leases end, the other nodes must see an empty wallet, not the $1 Redis never heard was spent.
        var converged = await ConvergedAsync(cluster, redis.Configuration, wallet.CustomerId);
        _delay = TimeSpan.Zero;
        var after = new List<Call>();
        for (var i = 0; i < 20; i++) after.Add(await CallAsync(cluster, i % 3, wallet.Key));

        var (events, ledger) = await cluster.BooksAsync(wallet.CustomerId);
        output.WriteLine($"node cut off from Redis with 20 requests holding $1: {held.Count(c => c.Complete)} served there, " +
            $"{after.Count(c => c.Complete)} of 20 more served, spent ${events.Values.Sum()}, Redis equal to the ledger {converged.TotalSeconds:F1} s after restart");
        Assert.All(held, c => Assert.True(c.Complete, $"{c.Status} {c.Code}"));
        Assert.DoesNotContain(after, c => c.Complete);
        Assert.Equal(1m, events.Values.Sum());
        Assert.All(events.Keys, id => Assert.Equal(1, ledger.GetValueOrDefault(id)));
        Assert.Equal((0m, 0m), await Shared(redis.Configuration, wallet.CustomerId));
    }

    [ServiceFact]
    public async Task AdminWallet_AskedOfEveryNode_ShowsTheClusterBalance()
    {
        await using var redis = TestRedis.Create();
        await using var cluster = Cluster(redis.Configuration, prefix: redis.Prefix);
        await cluster.StartAsync(3);
        var wallet = await HoldingCustomerAsync(cluster);

        for (var i = 0; i < 5; i++) Assert.True((await CallAsync(cluster, 1, wallet.Key)).Complete);

        var shown = new List<(string Balance, string Available)>();
        foreach (var node in cluster.Nodes)
        {
            using var admin = node.Client(Reliability.GatewayProcess.AdminToken);
            var body = JsonNode.Parse(await (await admin.GetAsync($"/admin/v1/customers/{wallet.CustomerId}/wallet")).EnsureSuccessStatusCode().Content.ReadAsStringAsync())!;
            shown.Add((body["balance"]!.GetValue<string>(), body["available"]!.GetValue<string>()));
        }
        Assert.Equal(0.75m, await cluster.LedgerBalanceAsync(wallet.CustomerId));
        Assert.All(shown, s => Assert.Equal((0.75m, 0.75m), (decimal.Parse(s.Balance, CultureInfo.InvariantCulture), decimal.Parse(s.Available, CultureInfo.InvariantCulture))));
    }

    private GatewayCluster Cluster(string redis, TimeSpan? lease = null, string prefix = "tollgate:")
    {
        var cluster = new GatewayCluster(_database.ConnectionString, redis, prefix, lease);
        cluster.Variables["TOLLGATE_Redis__SyncInterval"] = "00:00:00.500";
        return cluster;
    }

    private async Task<(string CustomerId, string Key, string KeyId)> HoldingCustomerAsync(GatewayCluster cluster)
    {
        await cluster.PutModelAsync(HoldModel, _stub.BaseUrl("hold"), "0", "3125");
        var wallet = await cluster.CustomerAsync("1", customerOptions: ClusterProcessTests.Unlimited);
        await cluster.WaitForKeyAsync(wallet.Key);
        return wallet;
    }

    private static async Task<Call> CallAsync(GatewayCluster cluster, int node, string key)
    {
        using var client = cluster.Nodes[node].Client(key);
        client.Timeout = TimeSpan.FromSeconds(60);
        return await GatewayCluster.ChatAsync(client, HoldModel);
    }

    private static Task<(decimal Balance, decimal Held)> Shared(string redis, string customerId) =>
        GatewayCluster.SharedAccountAsync(redis, "tollgate:", customerId, "w");

    private static async Task<bool> ReadyAsync(Reliability.GatewayProcess node)
    {
        using var client = new HttpClient { BaseAddress = new Uri(node.Url) };
        try
        {
            return (await client.GetAsync("/readyz")).StatusCode == HttpStatusCode.OK;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    /// <summary>Waits until Redis's wallet equals the ledger's balance with nothing held; returns how long that took.</summary>
    private static async Task<TimeSpan> ConvergedAsync(GatewayCluster cluster, string redis, string customerId)
    {
        var clock = Stopwatch.StartNew();
        await WaitForAsync(async () => await Shared(redis, customerId) == (await cluster.LedgerBalanceAsync(customerId), 0m), "Redis to equal the ledger",
            TimeSpan.FromSeconds(30));
        return clock.Elapsed;
    }

    private static async Task WaitForAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed > (timeout ?? TimeSpan.FromSeconds(15))) throw new TimeoutException("Waited in vain for " + what);
            await Task.Delay(100);
        }
    }
}
