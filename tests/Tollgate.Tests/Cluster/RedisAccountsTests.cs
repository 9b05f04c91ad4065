using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;
using Tollgate.Billing.Wallets;
using Tollgate.Budgets;
using Tollgate.Shared;
using Tollgate.Storage;
using Tollgate.Tests.Infrastructure;

namespace Tollgate.Tests.Cluster;

/// <summary>The spend-account scripts against a real Redis: exact under concurrency, all-or-nothing, leases, seeding from the ledger.</summary>
[RequiresService(TestRedis.Variable)]
public sealed class RedisAccountsTests : IAsyncLifetime
{
    private readonly Ledger _ledger = new();
    private TestRedis _redis = null!;
    private SharedState _state = null!;
    private RedisAccounts _accounts = null!;

    public async Task InitializeAsync()
    {
        _redis = TestRedis.Create();
        _state = await SharedState.ConnectAsync(_redis.Configuration, _redis.Prefix);
        _accounts = Accounts(TimeSpan.FromMinutes(5));
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
        SharedAccount[] wallet = [new("w:cus_1", 0m)];

        var results = await Task.WhenAll(Enumerable.Range(0, 400).Select(i => Task.Run(() => _accounts.ReserveAsync(wallet, $"h{i}", 0.033333m))));
        var held = results.Count(r => r is null);
        await Task.WhenAll(Enumerable.Range(0, 400).Where(i => results[i] is null).Select(i => _accounts.SettleAsync(wallet, $"h{i}", 0.033333m)));

        // $10 / $0.033333 = 300.003: exactly 300 fit, never 301.
        Assert.Equal(300, held);
        Assert.Equal(10m - 300 * 0.033333m, await BalanceAsync("w:cus_1"));
    }

    [ServiceFact]
    public async Task Reserve_OneAccountShort_TakesNothingFromTheOthers()
    {
        _ledger.Balances["cus_2"] = 5m;
        _ledger.KeyMonthSpend["key_2"] = 0.5m;
        var month = RedisAccounts.Month(DateTimeOffset.UtcNow);
        SharedAccount[] accounts = [new($"km:key_2:{month}", 1m), new("kl:key_2", null), new("w:cus_2", 0m)];

        var refused = await _accounts.ReserveAsync(accounts, "a", 0.6m);
        var held = await _accounts.ReserveAsync(accounts, "b", 0.5m);

        Assert.Equal(new SharedRefusal(0, 0.5m), refused);
        Assert.Null(held);
        Assert.Equal((0.5m, 0.5m), (await HeldAsync($"km:key_2:{month}"), await HeldAsync("w:cus_2")));
        await _accounts.SettleAsync(accounts, "b", 0.2m);
        await _accounts.SettleAsync(accounts, "b", 0.2m);
        Assert.Equal((0m, 4.8m, -0.7m), (await HeldAsync("w:cus_2"), await BalanceAsync("w:cus_2"), await BalanceAsync($"km:key_2:{month}")));
    }

    [ServiceFact]
    public async Task Reserve_HoldOfADeadNode_ExpiresWithItsLease()
    {
        using var shortLease = Accounts(TimeSpan.FromMilliseconds(300));
        _ledger.Balances["cus_3"] = 1m;
        SharedAccount[] wallet = [new("w:cus_3", 0m)];

        Assert.Null(await shortLease.ReserveAsync(wallet, "dead", 1m));
        Assert.NotNull(await shortLease.ReserveAsync(wallet, "other", 0.5m));
        await Task.Delay(400);

        Assert.Null(await shortLease.ReserveAsync(wallet, "after", 1m));
        Assert.Equal(1m, await HeldAsync("w:cus_3"));
    }

    [ServiceFact]
    public async Task Reserve_AccountsFlushed_RebuiltFromTheLedgerOnce()
    {
        _ledger.Balances["cus_4"] = 2m;
        SharedAccount[] wallet = [new("w:cus_4", 0m)];
        Assert.Null(await _accounts.ReserveAsync(wallet, "x", 1m));
        await _accounts.SettleAsync(wallet, "x", 1m);
        _ledger.Balances["cus_4"] = 1m;

        await DeleteAsync("w:cus_4");
        Assert.NotNull(await _accounts.ReserveAsync(wallet, "y", 1.5m));

        Assert.Equal(1m, await BalanceAsync("w:cus_4"));
    }

    [ServiceFact]
    public async Task AdjustFunds_Grant_RaisesTheSharedWallet()
    {
        _ledger.Balances["cus_5"] = 1m;
        SharedAccount[] wallet = [new("w:cus_5", 0m)];
        Assert.NotNull(await _accounts.ReserveAsync(wallet, "big", 3m));

        _accounts.AdjustFunds("cus_5", 2.5m);
        for (var i = 0; i < 50 && await BalanceAsync("w:cus_5") != 3.5m; i++) await Task.Delay(20);

        Assert.Null(await _accounts.ReserveAsync(wallet, "big2", 3m));
    }

    private RedisAccounts Accounts(TimeSpan lease) =>
        new(_state, _ledger, TimeProvider.System, new SharedOptions { Lease = lease }, NullLogger<RedisAccounts>.Instance);

    private async Task<decimal> BalanceAsync(string id) => Nanos((long)await Database().HashGetAsync(_redis.Prefix + "acct:" + id, "b"));

    private async Task<decimal> HeldAsync(string id) => Nanos((long)await Database().HashGetAsync(_redis.Prefix + "acct:" + id, "r"));

    private async Task DeleteAsync(string id) => await Database().KeyDeleteAsync(_redis.Prefix + "acct:" + id);

    private IDatabase Database() => _connection ??= ConnectionMultiplexer.Connect(_redis.Configuration).GetDatabase();

    private IDatabase? _connection;

    private static decimal Nanos(long value) => value / 1_000_000_000m;

    /// <summary>The ledger's totals as the seeding reads them.</summary>
    private sealed class Ledger : IWalletStore
    {
        public Dictionary<string, decimal> Balances { get; } = [];

        public Dictionary<string, decimal> KeyMonthSpend { get; } = [];

        public Task<LoadedTotals> LoadTotalsAsync(DateTimeOffset monthStart, DateTimeOffset now, CancellationToken cancellationToken = default) =>
            Task.FromResult(new LoadedTotals(new AccountTotals(new Dictionary<string, decimal>(Balances), new Dictionary<string, decimal>(),
                new Dictionary<string, decimal>(KeyMonthSpend), new Dictionary<string, decimal>()), HeldAccounts.None));

        public Task AddGrantAsync(string customerId, Grant grant, string? note, AuditEntry audit, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<IReadOnlyList<Grant>> ListGrantsAsync(string customerId, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<WalletReplay.Result> ReplayAsync(string customerId, DateTimeOffset now, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<IReadOnlyList<GrantExpiry>> ExpireDueAsync(DateTimeOffset now, Func<string, DateTimeOffset>? settledUntil = null,
            CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();
    }
}
