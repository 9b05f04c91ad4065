using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;
using Tollgate.Budgets;
using Tollgate.Storage.Redis;
using Tollgate.Storage;
using Tollgate.Tests.Infrastructure;

namespace Tollgate.Tests.Cluster;

/// <summary>
/// The spend-account scripts against a real Redis: exact under concurrency, all-or-nothing, leases,
/// and exactly once against the ledger — a charge is counted by the snapshot an account was seeded
/// from or by its settle, never both and never neither, whatever order they land in.
/// Snapshots are written as PostgreSQL prints them (<c>xmin:xmax:in-progress,…</c>).
/// </summary>
[RequiresService(TestRedis.Variable)]
public sealed class RedisAccountsTests : IAsyncLifetime
{
    /// <summary>
    /// The accounts' clock, which names the month: mid-month, running at real speed, so no test sees the month
    /// turn between naming an account and seeding it. Leases and holds are on Redis's own clock.
    /// </summary>
    private static readonly TimeProvider Clock = new TestClock.StartedAt(new DateTimeOffset(2026, 11, 15, 12, 0, 0, TimeSpan.Zero));

    private readonly FakeLedger _ledger = new();
    private TestRedis _redis = null!;
    private SharedState _state = null!;
    private RedisAccounts _accounts = null!;

    public async Task InitializeAsync()
    {
        _redis = TestRedis.Create();
        _state = await SharedState.ConnectAsync(_redis.Configuration, _redis.Prefix);
        _accounts = Accounts(_state, TimeSpan.FromMinutes(5));
    }

    public async Task DisposeAsync()
    {
        _accounts.Dispose();
        await _state.DisposeAsync();
        await _redis.DisposeAsync();
    }

    [ServiceFact]
    public async Task Reserve_ManyConcurrentAgainstOneWallet_TakesExactlyTheFunds()
    {
        _ledger.Balances["cus_1"] = 10m;
        SharedAccount[] wallet = [new("w", 0m)];

        var results = await Task.WhenAll(Enumerable.Range(0, 400).Select(i => Task.Run(() => Refusal(_accounts.ReserveAsync("cus_1", wallet, $"h{i}", 0.033333m)))));
        var held = results.Count(r => r is null);
        await Task.WhenAll(Enumerable.Range(0, 400).Where(i => results[i] is null).Select(i => _accounts.SettleAsync("cus_1", wallet, $"h{i}", 0.033333m, "500")));

        // $10 / $0.033333 = 300.003: exactly 300 fit, never 301.
        Assert.Equal(300, held);
        Assert.Equal(10m - 300 * 0.033333m, await BalanceAsync("cus_1", "w"));
    }

    [ServiceFact]
    public async Task Reserve_CeilingBeyondTheExactRange_HeldToTheRangeNeverUnlimited()
    {
        // A postpaid customer with a $5M credit limit who already owes $1M: $4M is all Redis may count exactly.
        _ledger.Balances["cus_20"] = -1_000_000m;
        SharedAccount[] wallet = [new("w", 5_000_000m)];

        var beyond = await Refusal(_accounts.ReserveAsync("cus_20", wallet, "big", 3_500_000m));
        var within = await Refusal(_accounts.ReserveAsync("cus_20", wallet, "fits", 2_000_000m));

        Assert.Equal(new SharedRefusal(0, Tollgate.Storage.Redis.Nanos.MaxExact - 1_000_000m), beyond);
        Assert.Null(within);
    }

    [ServiceFact]
    public async Task Reserve_OneAccountShort_TakesNothingFromTheOthers()
    {
        _ledger.Balances["cus_2"] = 5m;
        _ledger.KeyMonthSpend["key_2"] = 0.5m;
        var month = RedisAccounts.Month(Clock.GetUtcNow());
        SharedAccount[] accounts = [new($"km:key_2:{month}", 1m), new("kl:key_2", null), new("w", 0m)];

        var refused = await Refusal(_accounts.ReserveAsync("cus_2", accounts, "a", 0.6m));
        var held = await Refusal(_accounts.ReserveAsync("cus_2", accounts, "b", 0.5m));

        Assert.Equal(new SharedRefusal(0, 0.5m), refused);
        Assert.Null(held);
        Assert.Equal((0.5m, 0.5m), (await HeldAsync("cus_2", $"km:key_2:{month}"), await HeldAsync("cus_2", "w")));
        await _accounts.SettleAsync("cus_2", accounts, "b", 0.2m, "500");
        await _accounts.SettleAsync("cus_2", accounts, "b", 0.2m, "500");
        Assert.Equal((0m, 4.8m, -0.7m), (await HeldAsync("cus_2", "w"), await BalanceAsync("cus_2", "w"), await BalanceAsync("cus_2", $"km:key_2:{month}")));
    }

    [ServiceFact]
    public async Task Reserve_HoldOfADeadNode_ExpiresWithItsLease()
    {
        using var shortLease = Accounts(_state, TimeSpan.FromMilliseconds(300));
        _ledger.Balances["cus_3"] = 1m;
        SharedAccount[] wallet = [new("w", 0m)];

        Assert.Null(await Refusal(shortLease.ReserveAsync("cus_3", wallet, "dead", 1m)));
        Assert.NotNull(await Refusal(shortLease.ReserveAsync("cus_3", wallet, "other", 0.5m)));
        await Task.Delay(400);

        Assert.Null(await Refusal(shortLease.ReserveAsync("cus_3", wallet, "after", 1m)));
        Assert.Equal(1m, await HeldAsync("cus_3", "w"));
    }

    [ServiceFact]
    public async Task Settle_CommitTheSeedAlreadyCounted_ChargesNothingMore()
    {
        // Redis restarted while the request ran: its commit (xid 150) landed before the reseed read the ledger.
        SharedAccount[] wallet = [new("w", 0m)];
        _ledger.Balances["cus_4"] = 1m;
        Assert.Null(await Refusal(_accounts.ReserveAsync("cus_4", wallet, "r1", 0.3m)));
        await FlushAsync();
        _ledger.Balances["cus_4"] = 0.7m;
        _ledger.Snapshot = "200:200:";
        Assert.Null(await Refusal(_accounts.ReserveAsync("cus_4", wallet, "r2", 0.1m)));

        await _accounts.SettleAsync("cus_4", wallet, "r1", 0.3m, "150");

        Assert.Equal(0.7m, await BalanceAsync("cus_4", "w"));
    }

    [ServiceFact]
    public async Task Settle_LandsBeforeTheSeedOfItsAccount_CountedOnceWhenSeeded()
    {
        // The commit (xid 300) is after the snapshot the seed reads: the seed alone would miss it.
        SharedAccount[] wallet = [new("w", 0m)];
        await _accounts.SettleAsync("cus_5", wallet, "early", 0.25m, "300");
        _ledger.Balances["cus_5"] = 1m;
        _ledger.Snapshot = "250:250:";

        Assert.Null(await Refusal(_accounts.ReserveAsync("cus_5", wallet, "next", 0.1m)));

        Assert.Equal(0.75m, await BalanceAsync("cus_5", "w"));
        // A later snapshot that has the commit drops it from the pending charges without counting it twice.
        _ledger.Balances["cus_5"] = 0.75m;
        _ledger.Snapshot = "301:301:";
        await _accounts.SyncCustomersAsync(["cus_5"], counted: true);
        Assert.Equal(0.75m, await BalanceAsync("cus_5", "w"));
    }

    [ServiceFact]
    public async Task Settle_CommitStillInProgressInTheSnapshot_IsNotTakenAsCounted()
    {
        // xid 120 was running when snapshot 100:130:120 was taken: the ledger read lacks it though 120 < 130.
        SharedAccount[] wallet = [new("w", 0m)];
        _ledger.Balances["cus_6"] = 2m;
        _ledger.Snapshot = "100:130:120";
        Assert.Null(await Refusal(_accounts.ReserveAsync("cus_6", wallet, "r", 0.5m)));

        await _accounts.SettleAsync("cus_6", wallet, "r", 0.5m, "120");
        await _accounts.SettleAsync("cus_6", wallet, "other", 0.5m, "110");

        // 120 is charged; 110 (visible in the snapshot) was in the ledger already.
        Assert.Equal(1.5m, await BalanceAsync("cus_6", "w"));
    }

    [ServiceFact]
    public async Task Settle_AnotherKeysSeedReadANewerSnapshot_StillChargesThisKeysAccounts()
    {
        var month = RedisAccounts.Month(Clock.GetUtcNow());
        SharedAccount[] first = [new($"km:k2:{month}", null), new("w", 0m)];
        SharedAccount[] second = [new($"km:k1:{month}", null), new("w", 0m)];
        _ledger.Balances["cus_11"] = 1m;
        _ledger.Snapshot = "100:100:";
        Assert.Null(await Refusal(_accounts.ReserveAsync("cus_11", first, "x", 0.3m)));
        // X (xid 150) committed; before its settle lands, key k1's first request seeds its accounts at a snapshot that has X.
        _ledger.Balances["cus_11"] = 0.7m;
        _ledger.KeyMonthSpend["k2"] = 0.3m;
        _ledger.Snapshot = "200:200:";
        Assert.Null(await Refusal(_accounts.ReserveAsync("cus_11", second, "y", 0.1m)));

        await _accounts.SettleAsync("cus_11", first, "x", 0.3m, "150");

        // The wallet's snapshot had X; key k2's month did not, so X is charged there, once.
        Assert.Equal((0.7m, -0.3m), (await BalanceAsync("cus_11", "w"), await BalanceAsync("cus_11", $"km:k2:{month}")));
    }

    [ServiceFact]
    public async Task Reserve_RedisRestartedFromAnOlderDump_AccountsSeededAgainFromTheLedger()
    {
        SharedAccount[] wallet = [new("w", 0m)];
        _ledger.Balances["cus_12"] = 1m;
        Assert.Null(await Refusal(_accounts.ReserveAsync("cus_12", wallet, "x", 0.8m)));
        await _accounts.SettleAsync("cus_12", wallet, "x", 0.8m, "50");
        _ledger.Balances["cus_12"] = 0.2m;
        _ledger.Snapshot = "60:60:";
        // As after a restart from a dump taken before the charge: the old balance, and another server run.
        await Database().HashSetAsync($"{_redis.Prefix}{{cus_12}}:a:w", "b", 1_000_000_000);
        await Database().HashSetAsync(_redis.Prefix + "epoch", "run", "an-earlier-run");

        await _accounts.CheckEpochAsync();

        Assert.NotNull(await Refusal(_accounts.ReserveAsync("cus_12", wallet, "y", 0.5m)));
        Assert.Equal(0.2m, await BalanceAsync("cus_12", "w"));
    }

    [ServiceFact]
    public async Task Reserve_GrantPastItsExpiryNotYetWrittenOff_IsNotSpendable()
    {
        // $10 of a $15 balance is a grant that expired a second ago; the expiry job has not written it off yet.
        SharedAccount[] wallet = [new("w", 0m)];
        _ledger.Balances["cus_13"] = 15m;
        _ledger.Expiring["cus_13"] = [(DateTimeOffset.UtcNow.AddSeconds(-1), 10m), (DateTimeOffset.UtcNow.AddHours(1), 2m)];

        Assert.NotNull(await Refusal(_accounts.ReserveAsync("cus_13", wallet, "too-much", 5.01m)));
        Assert.Null(await Refusal(_accounts.ReserveAsync("cus_13", wallet, "fits", 5m)));
        Assert.Equal(new SharedBalance(5m, 5m), (await _accounts.ReadAsync("cus_13", wallet))[0]);
    }

    [ServiceFact]
    public async Task OldestHold_TwoRequestsInFlight_WhenTheFirstStarted()
    {
        SharedAccount[] wallet = [new("w", 0m)];
        _ledger.Balances["cus_14"] = 5m;
        Assert.Null(await _accounts.OldestHoldAsync("cus_14"));
        var before = DateTimeOffset.UtcNow;
        Assert.Null(await Refusal(_accounts.ReserveAsync("cus_14", wallet, "first", 1m)));
        var between = DateTimeOffset.UtcNow;
        await Task.Delay(50);
        Assert.Null(await Refusal(_accounts.ReserveAsync("cus_14", wallet, "second", 1m)));

        // The expiry job may write off a grant only up to here: the first request may still be funded by it.
        var oldest = await _accounts.OldestHoldAsync("cus_14");
        Assert.InRange(oldest!.Value, before.AddMilliseconds(-50), between.AddMilliseconds(50));
        _accounts.Release("cus_14", wallet, "first");
        _accounts.Release("cus_14", wallet, "second");
        for (var i = 0; i < 50 && await _accounts.OldestHoldAsync("cus_14") is not null; i++) await Task.Delay(20);
        Assert.Null(await _accounts.OldestHoldAsync("cus_14"));
    }

    [ServiceFact]
    public async Task SyncCustomers_OlderSnapshot_ChangesNothing()
    {
        SharedAccount[] wallet = [new("w", 0m)];
        _ledger.Balances["cus_7"] = 2m;
        _ledger.Snapshot = "500:500:";
        Assert.Null(await Refusal(_accounts.ReserveAsync("cus_7", wallet, "r", 0.5m)));

        _ledger.Balances["cus_7"] = 9m;
        _ledger.Snapshot = "400:420:";
        await _accounts.SyncCustomersAsync(["cus_7"], counted: true);

        Assert.Equal(2m, await BalanceAsync("cus_7", "w"));
    }

    [ServiceFact]
    public async Task SyncCustomers_SettleThatNeverReachedRedis_AppliedAndCountedAsDrift()
    {
        using var shortLease = Accounts(_state, TimeSpan.FromMilliseconds(300));
        SharedAccount[] wallet = [new("w", 0m)];
        _ledger.Balances["cus_8"] = 1m;
        _ledger.Snapshot = "100:100:";
        Assert.Null(await Refusal(shortLease.ReserveAsync("cus_8", wallet, "lost", 1m)));
        // The node committed the charge and died before its settle; the lease ends the hold.
        _ledger.Balances["cus_8"] = 0m;
        _ledger.Snapshot = "150:150:";
        await Task.Delay(400);

        var corrected = await shortLease.SyncCustomersAsync(["cus_8"], counted: true);

        Assert.Equal(1, corrected);
        Assert.Equal(0m, await BalanceAsync("cus_8", "w"));
        Assert.NotNull(await Refusal(shortLease.ReserveAsync("cus_8", wallet, "after", 0.01m)));
    }

    [ServiceFact]
    public async Task Refresh_Grant_RaisesTheSharedWallet()
    {
        _ledger.Balances["cus_9"] = 1m;
        SharedAccount[] wallet = [new("w", 0m)];
        Assert.NotNull(await Refusal(_accounts.ReserveAsync("cus_9", wallet, "big", 3m)));

        _ledger.Balances["cus_9"] = 3.5m;
        _ledger.Snapshot = "2000:2000:";
        _accounts.Refresh("cus_9");
        for (var i = 0; i < 100 && await BalanceAsync("cus_9", "w") != 3.5m; i++) await Task.Delay(20);

        Assert.Null(await Refusal(_accounts.ReserveAsync("cus_9", wallet, "big2", 3m)));
    }

    [ServiceFact]
    public async Task CheckEpoch_RedisRestartedEmpty_HoldsPutBackBeforeAnotherNodeSeeds()
    {
        await using var redis = new OwnRedis();
        await redis.StartAsync();
        await using var state1 = await SharedState.ConnectAsync(redis.Configuration, "t:");
        await using var state2 = await SharedState.ConnectAsync(redis.Configuration, "t:");
        using var node1 = Accounts(state1, TimeSpan.FromMinutes(5), grace: TimeSpan.FromSeconds(1));
        using var node2 = Accounts(state2, TimeSpan.FromMinutes(5), grace: TimeSpan.FromSeconds(1));
        SharedAccount[] wallet = [new("w", 0m)];
        _ledger.Balances["cus_10"] = 1m;
        await node1.CheckEpochAsync();
        await node2.CheckEpochAsync();
        // 19 streams of $0.05 hold $0.95 on node 1.
        for (var i = 0; i < 19; i++) Assert.Null(await Refusal(node1.ReserveAsync("cus_10", wallet, $"s{i}", 0.05m)));

        await redis.StopAsync();
        await redis.StartAsync();
        while (!await state1.PingAsync() || !await state2.PingAsync()) await Task.Delay(50);
        var second = Task.Run(async () => await Refusal(node2.ReserveAsync("cus_10", wallet, "n2a", 0.05m)));
        var third = Task.Run(async () => await Refusal(node2.ReserveAsync("cus_10", wallet, "n2b", 0.05m)));
        // Node 1's periodic check, within the grace.
        await Task.Delay(200);
        await node1.CheckEpochAsync();

        // The ledger still has $1 (the streams run on): one more $0.05 fits, not 20.
        Assert.Equal(1, new[] { await second, await third }.Count(r => r is null));
        Assert.Equal(1m, await HeldOnAsync(redis, "t:", "cus_10", "w"));
    }

    private RedisAccounts Accounts(SharedState state, TimeSpan lease, TimeSpan? grace = null) =>
        new(state, _ledger, Clock, new SharedOptions { Lease = lease, EpochGrace = grace ?? TimeSpan.Zero }, NullLogger<RedisAccounts>.Instance);

    private async Task<decimal> BalanceAsync(string customer, string name) =>
        Nanos((long)await Database().HashGetAsync($"{_redis.Prefix}{{{customer}}}:a:{name}", "b"));

    private async Task<decimal> HeldAsync(string customer, string name) =>
        Nanos((long)await Database().HashGetAsync($"{_redis.Prefix}{{{customer}}}:a:{name}", "r"));

    private static async Task<decimal> HeldOnAsync(OwnRedis redis, string prefix, string customer, string name)
    {
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.Configuration);
        return Nanos((long)await connection.GetDatabase().HashGetAsync($"{prefix}{{{customer}}}:a:{name}", "r"));
    }

    /// <summary>Every key of this test's prefix gone, the epoch too: Redis as it restarts empty.</summary>
    /// <summary>A reservation's refusal by an account; null when held.</summary>
    private static async Task<SharedRefusal?> Refusal(Task<SharedReserve> reserve) => (await reserve).Refusal;

    private async Task FlushAsync()
    {
        await using var connection = await ConnectionMultiplexer.ConnectAsync(_redis.Configuration);
        var server = connection.GetServer(connection.GetEndPoints()[0]);
        await foreach (var key in server.KeysAsync(pattern: _redis.Prefix + "*")) await connection.GetDatabase().KeyDeleteAsync(key);
    }

    private IDatabase Database() => _connection ??= ConnectionMultiplexer.Connect(_redis.Configuration).GetDatabase();

    private IDatabase? _connection;

    private static decimal Nanos(long value) => value / 1_000_000_000m;

    /// <summary>The ledger as a snapshot reads it: the figures and the snapshot they are as of.</summary>
    private sealed class FakeLedger : ILedgerSnapshots
    {
        public Dictionary<string, decimal> Balances { get; } = [];

        public Dictionary<string, decimal> KeyMonthSpend { get; } = [];

        public string Snapshot { get; set; } = "1:1:";

        public Dictionary<string, IReadOnlyList<(DateTimeOffset At, decimal Amount)>> Expiring { get; } = [];

        public Task<LedgerFigures> ReadAsync(IReadOnlyCollection<string> customerIds, DateTimeOffset monthStart, DateTimeOffset now,
            CancellationToken cancellationToken = default) =>
            Task.FromResult(new LedgerFigures(Snapshot, new Dictionary<string, decimal>(Balances), new Dictionary<string, decimal>(),
                new Dictionary<string, decimal>(KeyMonthSpend), new Dictionary<string, decimal>(), new Dictionary<string, IReadOnlyList<string>>())
            {
                Expiring = new Dictionary<string, IReadOnlyList<(DateTimeOffset At, decimal Amount)>>(Expiring),
            });

        public Task<(IReadOnlyList<string> Customers, string Snapshot)> ChangedSinceAsync(string? since, CancellationToken cancellationToken = default) =>
            Task.FromResult<(IReadOnlyList<string>, string)>(([.. Balances.Keys], Snapshot));
    }
}
