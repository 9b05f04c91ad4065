using System.Collections.Concurrent;
using Tollgate.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Tollgate.Tests.Cluster;

/// <summary>
/// Three real Tollgate processes sharing PostgreSQL and Redis, under concurrent load spread across
/// them: the wallet and the key budget hold exactly (no N× overshoot), every served request is
/// billed once, and reconcile passes.
/// </summary>
[RequiresService(TestPostgres.Variable)]
[RequiresService(TestRedis.Variable)]
public sealed class ClusterProcessTests(ITestOutputHelper output) : IAsyncLifetime
{
    private TestPostgres _database = null!;
    private TestRedis _redis = null!;
    private StubUpstream _stub = null!;

    public async Task InitializeAsync()
    {
        _database = await TestPostgres.CreateAsync();
        _redis = TestRedis.Create();
        _stub = await StubUpstream.StartAsync();
        _stub.On("quick", async (http, body, stopping) =>
        {
            await Task.Delay(15, stopping);
            await Stub.Completion(Stub.Usage(10, 10))(http, body, stopping);
        });
    }

    public async Task DisposeAsync()
    {
        await _stub.DisposeAsync();
        await _redis.DisposeAsync();
        await _database.DisposeAsync();
    }

    [ServiceFact]
    public async Task ThreeNodes_ConcurrentLoad_WalletAndKeyBudgetHoldExactly()
    {
        await using var cluster = new GatewayCluster(_database.ConnectionString, _redis.Configuration, _redis.Prefix);
        await cluster.StartAsync(3);
        await cluster.PutModelAsync(_stub.BaseUrl("quick"));
        var wallet = await cluster.CustomerAsync("3");
        var budget = await cluster.CustomerAsync("1000", """{"name":"budgeted","budget":"1.5","budget_period":"lifetime"}""");
        await cluster.WaitForKeyAsync(wallet.Key);
        await cluster.WaitForKeyAsync(budget.Key);

        var walletCalls = await LoadAsync(cluster, wallet.Key, 300);
        var budgetCalls = await LoadAsync(cluster, budget.Key, 150);

        foreach (var (name, limit, calls, customer) in new[] { ("wallet", 3m, walletCalls, wallet.CustomerId), ("key budget", 1.5m, budgetCalls, budget.CustomerId) })
        {
            var served = calls.Where(c => c.Complete).ToList();
            var (events, ledger) = await cluster.BooksAsync(customer);
            var spent = events.Values.Sum();
            output.WriteLine($"{name} ${limit}, 3 nodes, {calls.Count} requests: {served.Count} served, spent ${spent} " +
                $"({calls.Count(c => c.Code == "insufficient_quota")} refused insufficient_quota)");
            Assert.True(spent <= limit, $"{name}: spent {spent} of {limit}");
            // The last refusals come when less than one request's worst case is left: never N× over, never far under.
            Assert.True(spent >= limit - 2 * GatewayCluster.PerRequest, $"{name}: spent only {spent} of {limit}");
            Assert.Equal(served.Count * GatewayCluster.PerRequest, spent);
            Assert.All(served, c => Assert.Equal((GatewayCluster.PerRequest, 1), (events.GetValueOrDefault(c.RequestId!), ledger.GetValueOrDefault(c.RequestId!))));
            Assert.Equal(served.Count, events.Count);
            Assert.All(calls, c => Assert.True(c.Complete || c.Code == "insufficient_quota", $"{c.Status} {c.Code}"));
        }
        Assert.True(walletCalls.Select(c => c.RequestId).Distinct().Count() == walletCalls.Count);
        var reconcile = await cluster.ReconcileAsync();
        Assert.True(reconcile.ExitCode == 0, $"reconcile: {reconcile.Output}\n{reconcile.Error}");
    }

    /// <summary><paramref name="count"/> calls from 24 workers, spread round-robin over the nodes.</summary>
    internal static async Task<List<Call>> LoadAsync(GatewayCluster cluster, string key, int count, Func<int, bool>? stop = null)
    {
        var clients = cluster.Nodes.Select(n => n.Client(key)).ToList();
        var calls = new ConcurrentBag<Call>();
        var next = -1;
        try
        {
            await Task.WhenAll(Enumerable.Range(0, 24).Select(_ => Task.Run(async () =>
            {
                for (int i; (i = Interlocked.Increment(ref next)) < count && stop?.Invoke(i) != true;)
                    calls.Add(await GatewayCluster.ChatAsync(clients[i % clients.Count]));
            })));
        }
        finally
        {
            foreach (var client in clients) client.Dispose();
        }
        return [.. calls];
    }
}
