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
        var wallet = await cluster.CustomerAsync("3", customerOptions: Unlimited);
        var budget = await cluster.CustomerAsync("1000", """{"name":"budgeted","budget":"1.5","budget_period":"lifetime"}""", Unlimited);
        var limited = await cluster.CustomerAsync("1000", """{"name":"limited","rate_limits":{"requests_per_minute":60}}""", Unlimited);
        await cluster.WaitForKeyAsync(wallet.Key);
        await cluster.WaitForKeyAsync(budget.Key);
        await cluster.WaitForKeyAsync(limited.Key);

        var walletCalls = await LoadAsync(cluster, wallet.Key, 240);
        walletCalls.AddRange(await DrainAsync(cluster, wallet.Key));
        var budgetCalls = await LoadAsync(cluster, budget.Key, 240);
        budgetCalls.AddRange(await DrainAsync(cluster, budget.Key));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var limitedCalls = await LoadAsync(cluster, limited.Key, 150);
        var elapsed = clock.Elapsed;

        // 60 a minute: the full bucket plus what refilled while the load ran (one a second), not 3 × 60.
        var admitted = limitedCalls.Count(c => c.Complete);
        output.WriteLine($"key rate limit 60/min, 3 nodes, 150 requests in {elapsed.TotalSeconds:F1} s: {admitted} served, " +
            $"{limitedCalls.Count(c => c.Code == "rate_limit_exceeded")} refused rate_limit_exceeded");
        Assert.InRange(admitted, 60, 60 + (int)Math.Ceiling(elapsed.TotalSeconds) + 1);
        Assert.All(limitedCalls, c => Assert.True(c.Complete || c.Code == "rate_limit_exceeded", $"{c.Status} {c.Code}"));

        foreach (var (name, limit, calls, customer) in new[] { ("wallet", 3m, walletCalls, wallet.CustomerId), ("key budget", 1.5m, budgetCalls, budget.CustomerId) })
        {
            var served = calls.Where(c => c.Complete).ToList();
            var (events, ledger) = await cluster.BooksAsync(customer);
            var spent = events.Values.Sum();
            output.WriteLine($"{name} ${limit}, 3 nodes, {calls.Count} requests: {served.Count} served, spent ${spent} " +
                $"({calls.Count(c => c.Code == "insufficient_quota")} refused insufficient_quota; other: " +
                string.Join(", ", calls.Where(c => !c.Complete && c.Code != "insufficient_quota").Select(c => $"{(int)c.Status} {c.Code}")) + ")");
            Assert.True(spent <= limit, $"{name}: spent {spent} of {limit}");
            // The last refusals come when less than one request's worst case is left: never N× over, never far under.
            Assert.True(spent >= limit - 2 * GatewayCluster.PerRequest, $"{name}: spent only {spent} of {limit}");
            Assert.Equal(served.Count * GatewayCluster.PerRequest, spent);
            Assert.All(served, c => Assert.Equal((GatewayCluster.PerRequest, 1), (events.GetValueOrDefault(c.RequestId!), ledger.GetValueOrDefault(c.RequestId!))));
            Assert.Equal(served.Count, events.Count);
            Assert.All(calls, c => Assert.True(c.Complete || c.Code == "insufficient_quota", $"{c.Status} {c.Code}"));
        }
        Assert.True(walletCalls.Select(c => c.RequestId).Distinct().Count() == walletCalls.Count);

        // /v1/account on every node shows the cluster's figures, not what that node served itself.
        var walletSpent = (await cluster.BooksAsync(wallet.CustomerId)).Events.Values.Sum();
        var budgetSpent = (await cluster.BooksAsync(budget.CustomerId)).Events.Values.Sum();
        for (var node = 0; node < cluster.Nodes.Count; node++)
        {
            var walletAccount = await AccountAsync(cluster, node, wallet.Key);
            var budgetAccount = await AccountAsync(cluster, node, budget.Key);
            var limitedAccount = await AccountAsync(cluster, node, limited.Key);
            Assert.Equal(3m - walletSpent, decimal.Parse(walletAccount["balance"]!["available"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture));
            var keyBudget = budgetAccount["budgets"]!.AsArray().Single(b => b!["scope"]!.GetValue<string>() == "key")!;
            Assert.Equal(budgetSpent, decimal.Parse(keyBudget["spent"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture));
            var requests = limitedAccount["limits"]!.AsArray().Single(l => l!["name"]!.GetValue<string>() == "requests_per_minute")!;
            // The shared bucket was drained by the load (it refills one a second), whichever node is asked.
            Assert.InRange(requests["remaining"]!.GetValue<long>(), 0, 30);
        }
        var reconcile = await cluster.ReconcileAsync();
        Assert.True(reconcile.ExitCode == 0, $"reconcile: {reconcile.Output}\n{reconcile.Error}");
    }

    [ServiceFact]
    public async Task ThreeNodes_ConcurrentLoad_OneSubscriptionWindowHoldsExactly()
    {
        await using var cluster = new GatewayCluster(_database.ConnectionString, _redis.Configuration, _redis.Prefix);
        await cluster.StartAsync(3);
        await cluster.PutModelAsync(_stub.BaseUrl("quick"));
        var subscriber = await cluster.CustomerAsync("100", customerOptions: Unlimited);
        await cluster.SubscribeAsync(subscriber.CustomerId, 300);
        await cluster.WaitForKeyAsync(subscriber.Key);
        for (var node = 0; node < cluster.Nodes.Count; node++)
        {
            for (var i = 0; await cluster.WindowsAsync(node, subscriber.Key) is null; i++)
            {
                if (i > 200) throw new TimeoutException("A node never saw the subscription.");
                await Task.Delay(50);
            }
        }

        var calls = await LoadAsync(cluster, subscriber.Key, 450);

        var served = calls.Where(c => c.Complete).ToList();
        var units = await cluster.UnitsAsync(subscriber.CustomerId);
        var (events, _) = await cluster.BooksAsync(subscriber.CustomerId);
        var shown = await Task.WhenAll(Enumerable.Range(0, 3).Select(n => cluster.WindowsAsync(n, subscriber.Key)));
        output.WriteLine($"session window 300 units, 3 nodes, {calls.Count} requests: {served.Count} served inside the allowance, " +
            $"{calls.Count(c => c.Code == "allowance_exhausted")} refused allowance_exhausted, {units.Values.Sum()} units metered; " +
            $"/v1/account on each node: {string.Join(", ", shown.Select(w => w![0]!["used"]!.GetValue<long>()))} used");
        Assert.Equal(300, served.Count);
        Assert.All(calls, c => Assert.True(c.Complete || c.Code == "allowance_exhausted", $"{c.Status} {c.Code}"));
        Assert.Equal(served.Count, units.Count);
        Assert.All(served, c => Assert.Equal((1L, 0m), (units.GetValueOrDefault(c.RequestId!), events.GetValueOrDefault(c.RequestId!, -1m))));
        Assert.All(shown, w => Assert.Equal((300L, 0L), (w![0]!["used"]!.GetValue<long>(), w[0]!["remaining"]!.GetValue<long>())));
        var reconcile = await cluster.ReconcileAsync();
        Assert.True(reconcile.ExitCode == 0, $"reconcile: {reconcile.Output}\n{reconcile.Error}");
    }

    /// <summary>Customer limits far above the load, so only the limit under test (not the spend tier's) refuses.</summary>
    internal const string Unlimited = """{"name":"Cluster","rate_limits":{"requests_per_minute":1000000,"tokens_per_minute":1000000000,"concurrency":10000}}""";

    [ServiceFact]
    public async Task NodeKilledMidLoad_ItsHoldsExpireWithTheLease_NothingLeaksOrIsLost()
    {
        _stub.On("slow", async (http, body, stopping) =>
        {
            await Task.Delay(1500, stopping);
            await Stub.Completion(Stub.Usage(10, 10))(http, body, stopping);
        });
        var lease = TimeSpan.FromSeconds(4);
        await using var cluster = new GatewayCluster(_database.ConnectionString, _redis.Configuration, _redis.Prefix, lease);
        await cluster.StartAsync(3);
        await cluster.PutModelAsync(_stub.BaseUrl("slow"));
        var wallet = await cluster.CustomerAsync("1", customerOptions: Unlimited);
        await cluster.WaitForKeyAsync(wallet.Key);

        // Requests in flight on every node; node 2 dies holding its reservations.
        using var victim = cluster.Nodes[2].Client(wallet.Key);
        var doomed = Enumerable.Range(0, 4).Select(_ => GatewayCluster.ChatAsync(victim)).ToList();
        var survivors = LoadAsync(cluster, wallet.Key, 12);
        await Task.Delay(700);
        cluster.Nodes[2].Kill();
        var calls = (await survivors).Concat(await Task.WhenAll(doomed)).ToList();
        await Task.Delay(lease + TimeSpan.FromSeconds(1));
        cluster.Nodes.RemoveAt(2);

        // Nothing is still held, and what is left can be spent to the cent by the surviving nodes.
        await using var connection = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(_redis.Configuration);
        _stub.On("slow", Stub.Completion(Stub.Usage(10, 10)));
        calls.AddRange(await DrainAsync(cluster, wallet.Key));
        var held = (long)await connection.GetDatabase().HashGetAsync(_redis.Prefix + "{" + wallet.CustomerId + "}:a:w", "r");
        var (events, ledger) = await cluster.BooksAsync(wallet.CustomerId);
        var spent = events.Values.Sum();
        var served = calls.Where(c => c.Complete).ToList();
        output.WriteLine($"wallet $1, node killed with requests in flight: {served.Count} served, {events.Count} billed, spent ${spent}, held after the lease {held}");
        Assert.Equal(0, held);
        Assert.InRange(spent, 1m - 2 * GatewayCluster.PerRequest, 1m);
        Assert.All(served, c => Assert.Equal(1, ledger.GetValueOrDefault(c.RequestId!)));
        Assert.Equal(events.Count, ledger.Values.Sum());
        Assert.Equal(events.Count * GatewayCluster.PerRequest, spent);
    }

    [ServiceFact]
    public async Task ColdNodes_BurstOf600AtOnce_NoSpuriousUnavailableAndTheWalletHoldsExactly()
    {
        await using var cluster = new GatewayCluster(_database.ConnectionString, _redis.Configuration, _redis.Prefix);
        // Redis's default 2 s bound, not the lenient one other cluster tests use: time a script waits inside a
        // busy node must not count against it, so a healthy Redis never yields a 503.
        cluster.Variables["TOLLGATE_REDIS"] = _redis.Configuration;
        await cluster.StartAsync(2);
        await cluster.PutModelAsync(_stub.BaseUrl("quick"));
        // $6 at $0.03 a request: 200 of the 600 fit. The limits are generous but taken on every request.
        var wallet = await cluster.CustomerAsync("6", customerOptions: Unlimited);
        await cluster.WaitForKeyAsync(wallet.Key);

        var clients = cluster.Nodes.Select(n => n.Client(wallet.Key)).ToList();
        var burst = await Task.WhenAll(Enumerable.Range(0, 600).Select(i => GatewayCluster.ChatAsync(clients[i % clients.Count])));
        foreach (var client in clients) client.Dispose();
        // Each request holds its worst case while in flight, so the burst leaves some of the wallet: spend the rest.
        var calls = burst.Concat(await DrainAsync(cluster, wallet.Key)).ToList();

        var served = calls.Where(c => c.Complete).ToList();
        var (events, _) = await cluster.BooksAsync(wallet.CustomerId);
        output.WriteLine($"600 at once on 2 cold nodes, wallet $6: {burst.Count(c => c.Complete)} served, " +
            string.Join(", ", burst.Where(c => !c.Complete).GroupBy(c => $"{(int)c.Status} {c.Code}").Select(g => $"{g.Count()} {g.Key}")) +
            $"; then {served.Count} served in all, spent ${events.Values.Sum()}");
        Assert.DoesNotContain(calls, c => c.Code == "shared_state_unavailable");
        Assert.All(calls, c => Assert.True(c.Complete || c.Code == "insufficient_quota", $"{c.Status} {c.Code}"));
        Assert.InRange(events.Values.Sum(), 6m - 2 * GatewayCluster.PerRequest, 6m);
        Assert.Equal(served.Count * GatewayCluster.PerRequest, events.Values.Sum());
    }

    [ServiceFact]
    public async Task RedisRestartedEmptyMidLoad_FailsClosedThenResumes_NoDoubleChargeNoLostUsage()
    {
        await using var redis = new OwnRedis();
        await redis.StartAsync();
        await using var cluster = new GatewayCluster(_database.ConnectionString, redis.Configuration, "tollgate:");
        await cluster.StartAsync(3);
        await cluster.PutModelAsync(_stub.BaseUrl("quick"));
        var wallet = await cluster.CustomerAsync("2", customerOptions: Unlimited);
        await cluster.WaitForKeyAsync(wallet.Key);

        var before = await LoadAsync(cluster, wallet.Key, 20);
        await redis.StopAsync();
        var during = await LoadAsync(cluster, wallet.Key, 30);
        await redis.StartAsync();
        // Redis came back empty: the accounts are rebuilt from the ledger at the next request.
        var after = new List<Call>();
        for (var i = 0; i < 100 && !after.Any(c => c.Complete); i++)
        {
            after.AddRange(await LoadAsync(cluster, wallet.Key, 3));
            await Task.Delay(100);
        }
        after.AddRange(await LoadAsync(cluster, wallet.Key, 120));
        after.AddRange(await DrainAsync(cluster, wallet.Key));

        var calls = before.Concat(during).Concat(after).ToList();
        var served = calls.Where(c => c.Complete).ToList();
        var (events, ledger) = await cluster.BooksAsync(wallet.CustomerId);
        var spent = events.Values.Sum();
        output.WriteLine($"wallet $2, 3 nodes, Redis killed and restarted empty: {calls.Count} requests, {served.Count} served, " +
            $"{during.Count(c => c.Code == "shared_state_unavailable")} refused 503 shared_state_unavailable while it was down, spent ${spent}");
        Assert.All(before, c => Assert.True(c.Complete, $"{c.Status} {c.Code}"));
        Assert.All(during, c => Assert.True(c.Complete || (c.Status == System.Net.HttpStatusCode.ServiceUnavailable && c.Code == "shared_state_unavailable"), $"{c.Status} {c.Code}"));
        Assert.Contains(during, c => c.Code == "shared_state_unavailable");
        // Rebuilt from the ledger: the limit holds over the whole run (no charge counted as unspent), and is used up.
        Assert.InRange(spent, 2m - 2 * GatewayCluster.PerRequest, 2m);
        Assert.Equal(served.Count, events.Count);
        Assert.All(served, c => Assert.Equal((GatewayCluster.PerRequest, 1), (events.GetValueOrDefault(c.RequestId!), ledger.GetValueOrDefault(c.RequestId!))));
        Assert.Equal(events.Count, ledger.Values.Sum());
        var reconcile = await cluster.ReconcileAsync();
        Assert.True(reconcile.ExitCode == 0, $"reconcile: {reconcile.Output}\n{reconcile.Error}");
    }

    private static async Task<System.Text.Json.Nodes.JsonNode> AccountAsync(GatewayCluster cluster, int node, string key)
    {
        using var client = cluster.Nodes[node].Client(key);
        return System.Text.Json.Nodes.JsonNode.Parse(await (await client.GetAsync("/v1/account")).EnsureSuccessStatusCode().Content.ReadAsStringAsync())!;
    }

    /// <summary>
    /// One call at a time, over the nodes in turn, until three in a row are refused: with nothing else
    /// held, a refusal then means less than one request's worst case is left.
    /// </summary>
    internal static async Task<List<Call>> DrainAsync(GatewayCluster cluster, string key)
    {
        var clients = cluster.Nodes.Select(n => n.Client(key)).ToList();
        var calls = new List<Call>();
        for (var refusals = 0; refusals < 3 && calls.Count < 200;)
        {
            var call = await GatewayCluster.ChatAsync(clients[calls.Count % clients.Count]);
            calls.Add(call);
            refusals = call.Complete ? 0 : refusals + 1;
        }
        foreach (var client in clients) client.Dispose();
        return calls;
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
