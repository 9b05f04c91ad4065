using System.Globalization;
using StackExchange.Redis;
using Tollgate.Budgets;
using Tollgate.Storage;

namespace Tollgate.Shared;

/// <summary>
/// Spend accounts in Redis, a copy of what PostgreSQL's ledger says. An account absent from
/// Redis (first use, or Redis restarted empty) is seeded from the ledger's totals; settlement
/// follows the usage commit, so a charge is counted by the seed or by the settle script, and
/// a settle that lands on an account seeded after its commit counts it twice: a safe error
/// (less headroom, never more), bounded by the requests in flight when Redis was rebuilt.
/// </summary>
internal sealed partial class RedisAccounts(SharedState state, IWalletStore wallets, TimeProvider time, SharedOptions options, ILogger<RedisAccounts> logger)
    : ISharedAccounts, IDisposable
{
    private static readonly TimeSpan MonthlyTtl = TimeSpan.FromDays(40);
    private readonly SemaphoreSlim _seeding = new(1, 1);
    private (AccountTotals Totals, long Load)? _lastTotals;
    private long _loadsStarted;

    public async Task<SharedRefusal?> ReserveAsync(SharedAccount[] accounts, string holdId, decimal amount)
    {
        var keys = Keys(accounts, null);
        var values = new RedisValue[3 + accounts.Length];
        values[0] = holdId;
        values[1] = (long)options.Lease.TotalMilliseconds;
        values[2] = Nanos.Text(Nanos.Up(amount));
        for (var i = 0; i < accounts.Length; i++) values[3 + i] = Nanos.Ceiling(accounts[i].Ceiling);
        for (var attempt = 0; ; attempt++)
        {
            RedisResult[] result;
            try
            {
                result = (RedisResult[])(await state.EvaluateAsync(AccountScripts.Reserve, keys, values))!;
            }
            catch (SharedStateUnavailableException)
            {
                // The script may have run with only its answer lost: make sure no hold of this request lingers.
                _ = RetryAsync(AccountScripts.Release, keys, [holdId]);
                throw;
            }
            switch ((int)result[0])
            {
                case 0:
                    return null;
                case 2:
                    return new SharedRefusal((int)result[1] - 1, Nanos.ToDollars((long)result[2]));
                default:
                    if (attempt >= 2) throw new SharedStateUnavailableException("The shared spend accounts could not be seeded from the ledger.");
                    await SeedAsync(accounts);
                    break;
            }
        }
    }

    public async Task<decimal?[]> SettleAsync(SharedAccount[] accounts, string holdId, decimal charged)
    {
        var keys = Keys(accounts, "settled:" + holdId);
        RedisValue[] values = [holdId, Nanos.Text(Nanos.Up(charged)), (long)(options.Lease.TotalMilliseconds * 2)];
        try
        {
            return Balances(await state.EvaluateAsync(AccountScripts.Settle, keys, values), accounts.Length);
        }
        catch (SharedStateUnavailableException)
        {
            // The usage is durable already; the copy must still learn of it. Retried until Redis answers
            // (the settled marker makes a retry of a settle that did land a no-op).
            _ = RetryAsync(AccountScripts.Settle, keys, values);
            return new decimal?[accounts.Length];
        }
    }

    public async Task<SharedBalance[]> ReadAsync(SharedAccount[] accounts)
    {
        var keys = Keys(accounts, null);
        for (var attempt = 0; ; attempt++)
        {
            var result = (RedisResult[])(await state.EvaluateAsync(AccountScripts.Read, keys, []))!;
            if ((int)result[0] == 0)
                return [.. Enumerable.Range(0, accounts.Length).Select(i => new SharedBalance(Nanos.ToDollars((long)result[1 + i * 2]), Nanos.ToDollars((long)result[2 + i * 2])))];
            if (attempt >= 2) throw new SharedStateUnavailableException("The shared spend accounts could not be seeded from the ledger.");
            await SeedAsync(accounts);
        }
    }

    public void Release(SharedAccount[] accounts, string holdId) =>
        _ = ObserveAsync(state.EvaluateAsync(AccountScripts.Release, Keys(accounts, null), [holdId]));

    public void AdjustFunds(string customerId, decimal delta)
    {
        var nanos = delta >= 0 ? Nanos.Down(delta) : -Nanos.Up(-delta);
        _ = RetryAsync(AccountScripts.Adjust, [state.Key("acct:w:" + customerId)], [Nanos.Text(nanos)]);
    }

    private RedisKey[] Keys(SharedAccount[] accounts, string? extra)
    {
        var keys = new RedisKey[accounts.Length + (extra is null ? 0 : 1)];
        for (var i = 0; i < accounts.Length; i++) keys[i] = state.Key("acct:" + accounts[i].Id);
        if (extra is not null) keys[^1] = state.Key(extra);
        return keys;
    }

    private static decimal?[] Balances(RedisResult result, int count)
    {
        var balances = new decimal?[count];
        var items = (RedisResult[])result!;
        for (var i = 0; i < items.Length && i < count; i++)
        {
            if (items[i].Resp2Type == ResultType.Integer) balances[i] = Nanos.ToDollars((long)items[i]);
        }
        return balances;
    }

    /// <summary>
    /// Creates the absent accounts from the ledger's totals. One load at a time per node; callers that
    /// found accounts missing while a load was already under way wait for the next one, since only a
    /// load begun after they looked is sure to hold everything committed before.
    /// </summary>
    private async Task SeedAsync(SharedAccount[] accounts)
    {
        var asked = Interlocked.Read(ref _loadsStarted);
        await _seeding.WaitAsync();
        try
        {
            var now = time.GetUtcNow();
            if (_lastTotals is not { } last || last.Load <= asked)
            {
                var load = Interlocked.Increment(ref _loadsStarted);
                _lastTotals = ((await wallets.LoadTotalsAsync(BudgetPeriods.MonthStart(now), now)).Totals, load);
                LogSeeded(logger, accounts.Length);
            }
            var totals = _lastTotals.Value.Totals;
            var month = Month(now);
            var values = new RedisValue[accounts.Length * 2];
            for (var i = 0; i < accounts.Length; i++)
            {
                var (balance, monthly) = FromLedger(accounts[i].Id, totals, month);
                values[i] = Nanos.Text(balance);
                values[accounts.Length + i] = monthly ? (long)MonthlyTtl.TotalMilliseconds : 0;
            }
            await state.EvaluateAsync(AccountScripts.Seed, Keys(accounts, null), values);
        }
        finally
        {
            _seeding.Release();
        }
    }

    /// <summary>The account's b from the ledger: a wallet's balance (rounded down), or minus a budget's spend (rounded up).</summary>
    private static (long Nanos, bool Monthly) FromLedger(string id, AccountTotals totals, string month)
    {
        var parts = id.Split(':');
        var current = parts.Length < 3 || parts[2] == month;
        return parts[0] switch
        {
            "w" => (Nanos.Down(totals.Balances.GetValueOrDefault(parts[1])), false),
            "c" => (current ? -Nanos.Up(totals.CustomerMonthSpend.GetValueOrDefault(parts[1])) : 0, true),
            "km" => (current ? -Nanos.Up(totals.KeyMonthSpend.GetValueOrDefault(parts[1])) : 0, true),
            "kl" => (-Nanos.Up(totals.KeyLifetimeSpend.GetValueOrDefault(parts[1])), false),
            _ => throw new InvalidOperationException($"Unknown shared account '{id}'."),
        };
    }

    public void Dispose() => _seeding.Dispose();

    public static string Month(DateTimeOffset now) => now.UtcDateTime.ToString("yyyy-MM", CultureInfo.InvariantCulture);

    private async Task RetryAsync(SharedScript script, RedisKey[] keys, RedisValue[] values)
    {
        var deadline = time.GetUtcNow() + options.Lease * 4;
        while (true)
        {
            try
            {
                await state.EvaluateAsync(script, keys, values);
                return;
            }
            catch (SharedStateUnavailableException) when (time.GetUtcNow() < deadline)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(500));
            }
            catch (SharedStateUnavailableException ex)
            {
                LogGaveUp(logger, ex, script.Name);
                return;
            }
        }
    }

    private static async Task ObserveAsync(Task task)
    {
        try
        {
            await task;
        }
        catch (SharedStateUnavailableException)
        {
            // The lease ends the hold.
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Seeding {Count} shared spend accounts from the ledger")]
    private static partial void LogSeeded(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Gave up applying {Script} to Redis; the shared copy is rebuilt from the ledger when its accounts are next absent")]
    private static partial void LogGaveUp(ILogger logger, Exception exception, string script);
}

/// <summary>How the shared counters behave: the lease of a hold is the longest a request may take.</summary>
internal sealed record SharedOptions
{
    public const string Section = "Redis";

    /// <summary>Key prefix, so one Redis can serve other uses (and tests) beside Tollgate.</summary>
    public string KeyPrefix { get; init; } = SharedState.DefaultPrefix;

    /// <summary>How long a hold lives unless settled or released: longer than any request is allowed to run.</summary>
    public TimeSpan Lease { get; init; } = TimeSpan.FromMinutes(15);
}
