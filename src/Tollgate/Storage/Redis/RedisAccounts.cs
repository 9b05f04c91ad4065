using System.Collections.Concurrent;
using System.Globalization;
using StackExchange.Redis;
using Tollgate.Budgets;
using Tollgate.Hosting;
using Tollgate.Limits;

namespace Tollgate.Storage.Redis;

/// <summary>
/// Spend accounts in Redis, a copy of what PostgreSQL's ledger says, exact by construction (see
/// <see cref="AccountScripts"/>): each account is the ledger as of a snapshot plus the charges
/// applied since that it lacks, so a charge is counted by the snapshot or by its settle, never both
/// and never neither. A charge whose settle never reaches Redis (a node cut off or killed) is
/// found in the ledger by <see cref="SharedLedgerSync"/>; a hold survives a Redis restart because
/// its node puts it back when it sees the new epoch, before any account is seeded in it.
/// </summary>
internal sealed partial class RedisAccounts(SharedState state, ILedgerSnapshots ledger, TimeProvider time, SharedOptions options,
    ILogger<RedisAccounts> logger, GatewayMetrics? metrics = null) : ISharedAccounts, IDisposable
{
    private static readonly TimeSpan MonthlyTtl = TimeSpan.FromDays(40);

    // The holds this node took and has not ended: what it puts back into a Redis that lost them.
    private readonly ConcurrentDictionary<string, OwnedHold> _holds = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Task> _seeding = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _epochLock = new(1, 1);
    private string? _epoch;
    private long _epochChanges;

    private sealed record OwnedHold(RedisKey[] Accounts, long Nanos, long Deadline);

    public async Task<SharedReserve> ReserveAsync(string customerId, SharedAccount[] accounts, string holdId, decimal amount, JoinedLimits? limits = null)
    {
        var accountKeys = Keys(customerId, accounts, AccountScripts.Reserve);
        var limited = limits?.Limits ?? [];
        RedisKey[] keys = limited.Length == 0 ? accountKeys : [.. accountKeys, .. RedisLimits.Keys(state, customerId, limited)];
        var values = new RedisValue[6 + accounts.Length + 2 * limited.Length];
        var nanos = Nanos.Up(amount);
        values[0] = holdId;
        values[1] = (long)options.Lease.TotalMilliseconds;
        values[2] = Nanos.Text(nanos);
        values[4] = accounts.Length;
        values[5] = limits?.Estimate ?? 0;
        for (var i = 0; i < accounts.Length; i++) values[6 + i] = Nanos.Ceiling(accounts[i].Ceiling);
        RedisLimits.Arguments(limited, values, 6 + accounts.Length);
        var deadline = time.GetTimestamp() + (long)(options.Lease.TotalSeconds * time.TimestampFrequency);
        for (var attempt = 0; ; attempt++)
        {
            var changes = Interlocked.Read(ref _epochChanges);
            values[3] = Volatile.Read(ref _epoch) ?? "";
            RedisResult[] result;
            try
            {
                result = (RedisResult[])(await state.EvaluateAsync(AccountScripts.Reserve, keys, values))!;
            }
            catch (SharedStateUnavailableException)
            {
                // The script may have run with only its answer lost: make sure no hold of this request (nor its limits) lingers.
                _ = RetryAsync(AccountScripts.Release, keys, ReleaseValues(holdId, accounts.Length, limits));
                throw;
            }
            switch ((int)result[0])
            {
                case 0:
                    var hold = new OwnedHold(accountKeys, nanos, deadline);
                    _holds[holdId] = hold;
                    // A new epoch seen while the answer was on its way may have missed this hold: put it back (never counted twice).
                    if (Interlocked.Read(ref _epochChanges) != changes) await ReholdOrReleaseAsync(holdId, hold);
                    return limited.Length == 0 ? SharedReserve.Held : new SharedReserve(null, RedisLimits.Admitted(limited, result, 1));
                case 2:
                    return new SharedReserve(new SharedRefusal((int)result[1] - 1, Nanos.ToDollars((long)result[2])),
                        limited.Length == 0 ? null : RedisLimits.Admitted(limited, result, 3));
                case 3:
                    return new SharedReserve(null, RedisLimits.Refused(limited, (int)result[1] - 1, result, 2));
                default:
                    if (attempt >= 2) throw new SharedStateUnavailableException("The shared spend accounts could not be seeded from the ledger.");
                    await SeedAsync(customerId, accounts);
                    break;
            }
        }
    }

    /// <summary>Puts back a hold just taken; if Redis fails now, the request is refused and the hold given back.</summary>
    private async Task ReholdOrReleaseAsync(string holdId, OwnedHold hold)
    {
        try
        {
            await ReholdAsync(holdId, hold);
        }
        catch (SharedStateUnavailableException)
        {
            _holds.TryRemove(holdId, out _);
            _ = RetryAsync(AccountScripts.Release, hold.Accounts, ReleaseValues(holdId, hold.Accounts.Length, null));
            throw;
        }
    }

    public async Task<decimal?[]> SettleAsync(string customerId, SharedAccount[] accounts, string holdId, decimal charged, string? position,
        JoinedLimits? limits = null)
    {
        var limited = limits?.Limits ?? [];
        var keys = Keys(customerId, accounts, AccountScripts.Settle);
        if (limited.Length > 0) keys = [.. keys, .. RedisLimits.Keys(state, customerId, limited)];
        var values = new RedisValue[5 + accounts.Length + 2 * limited.Length];
        values[0] = holdId;
        values[1] = Nanos.Text(Nanos.Up(charged));
        values[2] = position ?? "";
        values[3] = accounts.Length;
        values[4] = limits?.GiveBack ?? 0;
        for (var i = 0; i < accounts.Length; i++) values[5 + i] = accounts[i].Name;
        RedisLimits.Arguments(limited, values, 5 + accounts.Length);
        var changes = Interlocked.Read(ref _epochChanges);
        try
        {
            var balances = Balances(await state.EvaluateAsync(AccountScripts.Settle, keys, values), accounts.Length);
            Ended(holdId, keys[1..(1 + accounts.Length)], changes);
            return balances;
        }
        catch (SharedStateUnavailableException)
        {
            // The usage is durable already. Retried while the hold's lease runs (a retry of a settle that did land
            // changes nothing); if the node dies first, the ledger sync applies the charge and the lease ends the hold.
            _ = SettleLaterAsync(holdId, keys, values, accounts.Length);
            return new decimal?[accounts.Length];
        }
    }

    private async Task SettleLaterAsync(string holdId, RedisKey[] keys, RedisValue[] values, int accounts)
    {
        var changes = Interlocked.Read(ref _epochChanges);
        await RetryAsync(AccountScripts.Settle, keys, values);
        Ended(holdId, keys[1..(1 + accounts)], changes);
    }

    /// <summary>
    /// The hold is settled: no longer this node's to put back. A new epoch seen meanwhile may have put it back
    /// just after the settle dropped it, so it is dropped once more (a no-op otherwise; its limits ended with the settle).
    /// </summary>
    private void Ended(string holdId, RedisKey[] accountKeys, long changes)
    {
        _holds.TryRemove(holdId, out _);
        if (Interlocked.Read(ref _epochChanges) != changes)
            _ = ObserveAsync(state.EvaluateAsync(AccountScripts.Release, accountKeys, ReleaseValues(holdId, accountKeys.Length, null)));
    }

    /// <summary>The release script's arguments: the hold, how many of its keys are accounts, then the limits taken with it and the tokens they get back.</summary>
    private static RedisValue[] ReleaseValues(string holdId, int accounts, JoinedLimits? limits)
    {
        var limited = limits?.Limits ?? [];
        var values = new RedisValue[3 + 2 * limited.Length];
        values[0] = holdId;
        values[1] = accounts;
        values[2] = limits?.GiveBack ?? 0;
        RedisLimits.Arguments(limited, values, 3);
        return values;
    }

    public async Task<SharedBalance[]> ReadAsync(string customerId, SharedAccount[] accounts)
    {
        var keys = Keys(customerId, accounts, AccountScripts.Read);
        for (var attempt = 0; ; attempt++)
        {
            var result = (RedisResult[])(await state.EvaluateAsync(AccountScripts.Read, keys, [Volatile.Read(ref _epoch) ?? ""]))!;
            if ((int)result[0] == 0)
                return [.. Enumerable.Range(0, accounts.Length).Select(i => new SharedBalance(Nanos.ToDollars((long)result[1 + i * 2]), Nanos.ToDollars((long)result[2 + i * 2])))];
            if (attempt >= 2) throw new SharedStateUnavailableException("The shared spend accounts could not be seeded from the ledger.");
            await SeedAsync(customerId, accounts);
        }
    }

    public async Task<DateTimeOffset?> OldestHoldAsync(string customerId)
    {
        var expiry = (long)(await state.EvaluateAsync(AccountScripts.OldestHold, Keys(customerId, [new SharedAccount("w", null)], AccountScripts.OldestHold), []));
        // Every hold is taken with the full lease: its expiry less the lease is when its request started.
        return expiry < 0 ? null : DateTimeOffset.FromUnixTimeMilliseconds(expiry) - options.Lease;
    }

    public void Release(string customerId, SharedAccount[] accounts, string holdId, JoinedLimits? limits = null)
    {
        _holds.TryRemove(holdId, out _);
        var keys = Keys(customerId, accounts, AccountScripts.Release);
        if (limits is { Limits.Length: > 0 }) keys = [.. keys, .. RedisLimits.Keys(state, customerId, limits.Limits)];
        _ = ObserveAsync(state.EvaluateAsync(AccountScripts.Release, keys, ReleaseValues(holdId, accounts.Length, limits)));
    }

    public void Refresh(string customerId) => _ = RefreshAsync(customerId);

    private async Task RefreshAsync(string customerId)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await SyncCustomersAsync([customerId], counted: false);
                return;
            }
            catch (Exception ex) when ((ex is SharedStateUnavailableException or Npgsql.NpgsqlException or TimeoutException) && attempt < 5)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt));
            }
            catch (Exception ex) when (ex is SharedStateUnavailableException or Npgsql.NpgsqlException or TimeoutException)
            {
                // The ledger sync finds the change on its next round.
                LogRefreshFailed(logger, ex, customerId);
                return;
            }
        }
    }

    /// <summary>
    /// Brings the customers' existing accounts in line with the ledger at one snapshot. With
    /// <paramref name="counted"/>, accounts found different while nothing was held on them are a
    /// drift: counted in a metric and logged. Returns how many were corrected.
    /// </summary>
    internal async Task<int> SyncCustomersAsync(IReadOnlyList<string> customerIds, bool counted)
    {
        var now = time.GetUtcNow();
        var month = Month(now);
        var figures = await ledger.ReadAsync(customerIds, BudgetPeriods.MonthStart(now), now);
        var corrected = 0;
        foreach (var customerId in customerIds)
        {
            var names = new List<SharedAccount> { new("w", null), new("c:" + month, null) };
            foreach (var key in figures.KeysWithSpend.GetValueOrDefault(customerId) ?? [])
            {
                names.Add(new SharedAccount($"km:{key}:{month}", null));
                names.Add(new SharedAccount($"kl:{key}", null));
            }
            var (accounts, drift) = await SyncAsync(customerId, [.. names], figures, month, create: false);
            if (accounts == 0 || !counted) continue;
            corrected += accounts;
            metrics?.SharedCorrected(accounts);
            LogDrift(logger, customerId, accounts, Nanos.ToDollars(drift));
        }
        return corrected;
    }

    /// <summary>
    /// Creates the absent accounts from the ledger, once the epoch is ready (every node had the grace to
    /// put its holds back). Concurrent callers for the same accounts share one seed.
    /// </summary>
    private Task SeedAsync(string customerId, SharedAccount[] accounts)
    {
        var id = customerId + "|" + string.Join(',', accounts.Select(a => a.Name));
        var seeding = _seeding.GetOrAdd(id, _ => SeedOnceAsync(customerId, accounts));
        return AwaitSeedAsync(id, seeding);
    }

    private async Task AwaitSeedAsync(string id, Task seeding)
    {
        try
        {
            await seeding;
        }
        finally
        {
            _seeding.TryRemove(new KeyValuePair<string, Task>(id, seeding));
        }
    }

    private async Task SeedOnceAsync(string customerId, SharedAccount[] accounts)
    {
        await Task.Yield();
        var wait = await CheckEpochAsync();
        if (wait > TimeSpan.Zero) await Task.Delay(wait);
        var now = time.GetUtcNow();
        LogSeeded(logger, customerId, accounts.Length);
        try
        {
            await SyncAsync(customerId, accounts, await ledger.ReadAsync([customerId], BudgetPeriods.MonthStart(now), now), Month(now), create: true);
        }
        catch (Exception ex) when (ex is Npgsql.NpgsqlException or TimeoutException)
        {
            throw new SharedStateUnavailableException("The ledger could not be read to seed the shared spend accounts.", ex);
        }
    }

    /// <summary>One sync script for one customer; returns the accounts corrected while nothing was held on them, and by how much (nanos).</summary>
    private async Task<(int Accounts, long Drift)> SyncAsync(string customerId, SharedAccount[] accounts, LedgerFigures figures, string month, bool create)
    {
        var keys = Keys(customerId, accounts, AccountScripts.Sync);
        var values = new RedisValue[3 + accounts.Length * 4];
        values[0] = figures.Snapshot;
        values[1] = create ? "1" : "0";
        values[2] = Volatile.Read(ref _epoch) ?? "";
        for (var i = 0; i < accounts.Length; i++)
        {
            var (balance, monthly) = FromLedger(customerId, accounts[i].Name, figures, month);
            values[3 + i * 4] = accounts[i].Name;
            values[4 + i * 4] = Nanos.Text(balance);
            values[5 + i * 4] = monthly ? (long)MonthlyTtl.TotalMilliseconds : 0;
            values[6 + i * 4] = accounts[i].Name == "w" ? Expiring(figures.Expiring.GetValueOrDefault(customerId)) : "";
        }
        var result = (RedisResult[])(await state.EvaluateAsync(AccountScripts.Sync, keys, values))!;
        return ((int)result[0], long.Parse((string)result[1]!, CultureInfo.InvariantCulture));
    }

    /// <summary>A wallet's grants still to expire as the scripts take them: <c>ms:nanos</c> each, rounded up (what they take with them).</summary>
    private static string Expiring(IReadOnlyList<(DateTimeOffset At, decimal Amount)>? grants) =>
        grants is null ? "" : string.Join(' ', grants.Select(g => $"{g.At.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture)}:{Nanos.Text(Nanos.Up(g.Amount))}"));

    /// <summary>The account's b from the ledger: a wallet's balance (rounded down), or minus a budget's spend (rounded up).</summary>
    private static (long Nanos, bool Monthly) FromLedger(string customerId, string name, LedgerFigures figures, string month)
    {
        var parts = name.Split(':');
        var current = parts[^1] == month;
        return parts[0] switch
        {
            "w" => (Nanos.Down(figures.Balances.GetValueOrDefault(customerId)), false),
            "c" => (current ? -Nanos.Up(figures.CustomerMonthSpend.GetValueOrDefault(customerId)) : 0, true),
            "km" => (current ? -Nanos.Up(figures.KeyMonthSpend.GetValueOrDefault(parts[1])) : 0, true),
            "kl" => (-Nanos.Up(figures.KeyLifetimeSpend.GetValueOrDefault(parts[1])), false),
            _ => throw new InvalidOperationException($"Unknown shared account '{name}'."),
        };
    }

    /// <summary>
    /// Reads the epoch (starting one in a Redis that has none) and, when it is new to this node, puts
    /// back every hold the node still owns. Returns how long until accounts may be seeded in it.
    /// </summary>
    internal async Task<TimeSpan> CheckEpochAsync()
    {
        var result = (RedisResult[])(await state.EvaluateAsync(AccountScripts.Epoch, [state.Key("epoch")],
            [Guid.NewGuid().ToString("N"), (long)options.EpochGrace.TotalMilliseconds]))!;
        var id = (string)result[0]!;
        if (id != Volatile.Read(ref _epoch))
        {
            await _epochLock.WaitAsync();
            try
            {
                if (id != _epoch)
                {
                    var known = _epoch is not null;
                    // Counted before the holds go back: a settle or reservation whose answer comes after this knows to check its hold.
                    Interlocked.Increment(ref _epochChanges);
                    var restored = await ReholdAsync();
                    _epoch = id;
                    if (known || restored > 0) LogNewEpoch(logger, restored);
                }
            }
            finally
            {
                _epochLock.Release();
            }
        }
        return TimeSpan.FromMilliseconds((long)result[1]);
    }

    /// <summary>Puts every owned hold back at once (pipelined), well within the grace however many there are.</summary>
    private async Task<int> ReholdAsync()
    {
        var restored = await Task.WhenAll(_holds.Select(pair => ReholdAsync(pair.Key, pair.Value)));
        return restored.Count(r => r);
    }

    private async Task<bool> ReholdAsync(string holdId, OwnedHold hold)
    {
        var left = (long)((hold.Deadline - time.GetTimestamp()) * 1000.0 / time.TimestampFrequency);
        // Settled or released meanwhile: no longer this node's to put back.
        if (left <= 0 || !_holds.ContainsKey(holdId)) return false;
        await state.EvaluateAsync(AccountScripts.Rehold, hold.Accounts, [holdId, left, Nanos.Text(hold.Nanos)]);
        return true;
    }

    /// <summary>The script's keys: the customer's applied hash where it uses it, then the accounts, all under the customer's hash tag.</summary>
    private RedisKey[] Keys(string customerId, SharedAccount[] accounts, SharedScript script)
    {
        var extra = script == AccountScripts.Settle || script == AccountScripts.Sync ? 1 : 0;
        var keys = new RedisKey[accounts.Length + extra];
        var tag = "{" + customerId + "}:";
        if (extra > 0) keys[0] = state.Key(tag + "applied");
        for (var i = 0; i < accounts.Length; i++) keys[extra + i] = state.Key(tag + "a:" + accounts[i].Name);
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

    public void Dispose() => _epochLock.Dispose();

    public static string Month(DateTimeOffset now) => now.UtcDateTime.ToString("yyyy-MM", CultureInfo.InvariantCulture);

    private async Task RetryAsync(SharedScript script, RedisKey[] keys, RedisValue[] values)
    {
        var deadline = time.GetUtcNow() + options.Lease;
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

    [LoggerMessage(Level = LogLevel.Information, Message = "Seeding {Count} shared spend accounts of {CustomerId} from the ledger")]
    private static partial void LogSeeded(ILogger logger, string customerId, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis has a new epoch (it lost its data, or this node first sees it): put back {Count} holds this node owns")]
    private static partial void LogNewEpoch(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Shared accounts of {CustomerId} differed from the ledger: corrected {Accounts} account(s) by {Amount} USD in all")]
    private static partial void LogDrift(ILogger logger, string customerId, int accounts, decimal amount);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not bring the shared accounts of {CustomerId} in line with the ledger now; the ledger sync will")]
    private static partial void LogRefreshFailed(ILogger logger, Exception exception, string customerId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Gave up applying {Script} to Redis; the ledger sync brings the shared copy in line, and leases end the holds")]
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

    /// <summary>How often each node checks Redis's epoch, to put its holds back into a Redis that lost them.</summary>
    public TimeSpan EpochCheck { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>How long a new epoch waits before seeding accounts: several epoch checks, so every node has put its holds back.</summary>
    public TimeSpan EpochGrace { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>How often the leader brings the accounts of customers whose ledger changed in line with it.</summary>
    public TimeSpan SyncInterval { get; init; } = TimeSpan.FromSeconds(5);
}
