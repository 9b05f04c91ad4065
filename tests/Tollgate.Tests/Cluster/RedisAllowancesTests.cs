using System.Collections.Frozen;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;
using Tollgate.Billing.Subscriptions;
using Tollgate.Catalog;
using Tollgate.Storage.Redis;
using Tollgate.Storage;
using Tollgate.Subscriptions;
using Tollgate.Tests.Infrastructure;

namespace Tollgate.Tests.Cluster;

/// <summary>
/// The allowance-window scripts against a real Redis: exact under concurrency, all-or-nothing, the
/// same figures as the in-memory windows for every window kind, refunds once, rebuilt from history.
/// </summary>
[RequiresService(TestRedis.Variable)]
public sealed class RedisAllowancesTests : IAsyncLifetime
{
    /// <summary>Four hours before a month ends, so calendar windows roll over within a test.</summary>
    private static readonly DateTimeOffset Start = new(2026, 11, 30, 20, 0, 0, TimeSpan.Zero);

    private readonly FakeTimeProvider _time = new(Start);
    private readonly History _history = new();
    private TestRedis _redis = null!;
    private SharedState _state = null!;
    private RedisAllowances _shared = null!;

    public async Task InitializeAsync()
    {
        _redis = TestRedis.Create();
        _state = await SharedState.ConnectAsync(_redis.Configuration, _redis.Prefix);
        _shared = Shared(TimeSpan.FromMinutes(5));
    }

    public async Task DisposeAsync()
    {
        await _state.DisposeAsync();
        await _redis.DisposeAsync();
    }

    [ServiceFact]
    public async Task TryTake_ManyConcurrentAgainstOneWindow_GrantsExactlyItsSize()
    {
        var subscription = Subscription("sub_c", new AllowanceWindow("5h", WindowKind.Session, TimeSpan.FromHours(5), 300));

        var takes = await Task.WhenAll(Enumerable.Range(0, 400).Select(i => Task.Run(async () => await _shared.TryTakeAsync(subscription, "a", 1, $"c{i}"))));

        Assert.Equal(300, takes.Count(t => t.Hold is not null));
        Assert.All(takes.Where(t => t.Hold is null), t => Assert.Equal(("5h", 300L, 0L), (t.RefusedBy!.Name, t.RefusedBy.Used, t.RefusedBy.Remaining)));
        Assert.Equal(300, (await _shared.ReadAsync(subscription)).Single().Used);
    }

    [ServiceFact]
    public async Task TryTake_OneWindowShort_TakesFromNoneAndNamesTheTightest()
    {
        var subscription = Subscription("sub_n",
            new AllowanceWindow("5h", WindowKind.Session, TimeSpan.FromHours(5), 10),
            new AllowanceWindow("a-day", WindowKind.Rolling, TimeSpan.FromDays(1), 6, "a"),
            new AllowanceWindow("month", WindowKind.Calendar, TimeSpan.Zero, 100));

        Assert.NotNull((await _shared.TryTakeAsync(subscription, "a", 5, "n1")).Hold);
        var refused = await _shared.TryTakeAsync(subscription, "a", 2, "n2");
        var other = await _shared.TryTakeAsync(subscription, "b", 2, "n3");

        Assert.Null(refused.Hold);
        // Both the session (5 + 2 ≤ 10) and the month fit; the rolling day does not, and it frees last.
        Assert.Equal(new WindowView("a-day", "a", 5, 6, 1, Start.AddDays(1).AddMinutes(1)), refused.RefusedBy);
        Assert.NotNull(other.Hold);
        Assert.Equal([7L, 5L, 7L], (await _shared.ReadAsync(subscription)).Select(w => w.Used));
    }

    [ServiceFact]
    public async Task Release_GivesUnitsBackOnce_KeepKeepsThem()
    {
        var subscription = Subscription("sub_r", new AllowanceWindow("week", WindowKind.Rolling, TimeSpan.FromDays(7), 10));
        var kept = (await _shared.TryTakeAsync(subscription, "a", 3, "r1")).Hold!;
        var released = (await _shared.TryTakeAsync(subscription, "a", 4, "r2")).Hold!;

        kept.Keep();
        kept.Release();
        released.Release();
        released.Release();

        Assert.Equal(3, await UsedEventuallyAsync(subscription, 3));
    }

    [ServiceFact]
    public async Task Release_AfterTheWindowsWereRebuilt_GivesNothingBack()
    {
        var subscription = Subscription("sub_g", new AllowanceWindow("5h", WindowKind.Session, TimeSpan.FromHours(5), 10));
        var hold = (await _shared.TryTakeAsync(subscription, "a", 4, "g1")).Hold!;
        _history.Add(subscription.CustomerId, "a", 6, Start);

        // Redis lost everything; the rebuild counts the committed 6 units, never the request still in flight.
        await FlushAsync();
        Assert.Equal(6, (await _shared.ReadAsync(subscription)).Single().Used);
        hold.Release();
        await Task.Delay(200);

        Assert.Equal(6, (await _shared.ReadAsync(subscription)).Single().Used);
    }

    [ServiceFact]
    public async Task TryTake_RedisFlushed_RebuiltFromTheUsageEvents()
    {
        var subscription = Subscription("sub_f",
            new AllowanceWindow("5h", WindowKind.Session, TimeSpan.FromHours(5), 10),
            new AllowanceWindow("2h", WindowKind.Rolling, TimeSpan.FromHours(2), 10));
        _history.Add(subscription.CustomerId, "a", 4, Start.AddHours(-6));
        _history.Add(subscription.CustomerId, "a", 3, Start.AddHours(-3));
        _history.Add(subscription.CustomerId, "a", 2, Start.AddMinutes(-30));
        _history.Add("someone-else", "a", 9, Start.AddMinutes(-30));

        var take = await _shared.TryTakeAsync(subscription, "a", 9, "f1");

        // The session opened 6 hours ago took 4 + 3 and closed; a new one opened 30 minutes ago with 2. The rolling 2 hours hold only the 2.
        Assert.Equal(new WindowView("5h", null, 2, 10, 8, Start.AddHours(4.5)), take.RefusedBy);
        Assert.Equal([2L, 2L], (await _shared.ReadAsync(subscription)).Select(w => w.Used));
        Assert.NotNull((await _shared.TryTakeAsync(subscription, "a", 8, "f2")).Hold);
    }

    [ServiceFact]
    public async Task TryTake_PlanChanged_KeepsWindowsOfSameNameKindAndDuration()
    {
        var before = Subscription("sub_p",
            new AllowanceWindow("5h", WindowKind.Session, TimeSpan.FromHours(5), 10),
            new AllowanceWindow("week", WindowKind.Rolling, TimeSpan.FromDays(7), 50));
        Assert.NotNull((await _shared.TryTakeAsync(before, "a", 8, "p1")).Hold);

        var after = Subscription("sub_p",
            new AllowanceWindow("5h", WindowKind.Session, TimeSpan.FromHours(5), 20),
            new AllowanceWindow("week", WindowKind.Rolling, TimeSpan.FromDays(6), 50));

        Assert.Equal([(8L, 12L), (0L, 50L)], (await _shared.ReadAsync(after)).Select(w => (w.Used, w.Remaining)));
    }

    [ServiceFact]
    public Task Sequence_Session_SameAsInMemory() => SameAsInMemoryAsync("session");

    [ServiceFact]
    public Task Sequence_Rolling_SameAsInMemory() => SameAsInMemoryAsync("rolling");

    [ServiceFact]
    public Task Sequence_Calendar_SameAsInMemory() => SameAsInMemoryAsync("calendar");

    [ServiceFact]
    public Task Sequence_WindowsOfEveryKindTogether_SameAsInMemory() => SameAsInMemoryAsync("mixed");

    /// <summary>One sequence of takes, refunds and clock moves, against both implementations: the same answers and the same windows after every step.</summary>
    private async Task SameAsInMemoryAsync(string kind)
    {
        AllowanceWindow[] windows = kind switch
        {
            "session" => [new("5h", WindowKind.Session, TimeSpan.FromHours(5), 10)],
            "rolling" => [new("2h", WindowKind.Rolling, TimeSpan.FromHours(2), 10)],
            "calendar" => [new("month", WindowKind.Calendar, TimeSpan.Zero, 10)],
            _ => [new("5h", WindowKind.Session, TimeSpan.FromHours(5), 12), new("2h", WindowKind.Rolling, TimeSpan.FromHours(2), 9, "a"),
                new("month", WindowKind.Calendar, TimeSpan.Zero, 20)],
        };
        var subscription = Subscription("sub_" + kind, windows);
        var local = new Allowances(_time);
        local.Apply(Snapshot(subscription));
        (int Minutes, string Model, long Units, bool Release)[] steps =
        [
            (0, "a", 3, false), (10, "a", 4, false), (0, "b", 2, true), (1, "a", 5, false), (0, "a", 3, true), (50, "b", 2, false),
            (30, "a", 2, false), (45, "a", 6, false), (60, "a", 4, true), (61, "a", 4, false), (100, "a", 9, false), (125, "b", 8, false),
            (0, "a", 1, false), (300, "a", 2, false), (2, "a", 11, false),
        ];
        var i = 0;
        foreach (var (minutes, model, units, release) in steps)
        {
            _time.Advance(TimeSpan.FromMinutes(minutes));
            var expected = local.TryTake(subscription, model, units);
            var actual = await _shared.TryTakeAsync(subscription, model, units, $"s{kind}{i++}");
            Assert.Equal(expected.Hold is null, actual.Hold is null);
            Assert.Equal(expected.RefusedBy, actual.RefusedBy);
            if (expected.Hold is not null)
            {
                if (release)
                {
                    expected.Hold.Release();
                    actual.Hold!.Release();
                }
                else
                {
                    expected.Hold.Keep();
                    actual.Hold!.Keep();
                    _history.Add(subscription.CustomerId, model, units, _time.GetUtcNow());
                }
            }
            var want = local.Read(subscription);
            Assert.Equal(want, await ViewsEventuallyAsync(subscription, want));
        }

        // Redis lost: rebuilt from the usage events, as a node rebuilds its memory at start.
        await FlushAsync();
        var restarted = new Allowances(_time);
        restarted.Load(Snapshot(subscription), await _history.UnitsSinceAsync(_time.GetUtcNow() - Allowances.History));
        Assert.Equal(restarted.Read(subscription), await _shared.ReadAsync(subscription));
    }

    private async Task<IReadOnlyList<WindowView>> ViewsEventuallyAsync(SubscriptionEntry subscription, IReadOnlyList<WindowView> want)
    {
        // Refunds are sent without waiting.
        var views = await _shared.ReadAsync(subscription);
        for (var i = 0; i < 50 && !views.SequenceEqual(want); i++)
        {
            await Task.Delay(20);
            views = await _shared.ReadAsync(subscription);
        }
        return views;
    }

    private async Task<long> UsedEventuallyAsync(SubscriptionEntry subscription, long want)
    {
        var used = (await _shared.ReadAsync(subscription)).Single().Used;
        for (var i = 0; i < 50 && used != want; i++)
        {
            await Task.Delay(20);
            used = (await _shared.ReadAsync(subscription)).Single().Used;
        }
        return used;
    }

    private async Task FlushAsync()
    {
        await using var connection = await ConnectionMultiplexer.ConnectAsync(_redis.Configuration);
        var server = connection.GetServer(connection.GetEndPoints().Single());
        await foreach (var key in server.KeysAsync(pattern: _redis.Prefix + "win*")) await connection.GetDatabase().KeyDeleteAsync(key);
    }

    private RedisAllowances Shared(TimeSpan lease) =>
        new(_state, _history, _time, new SharedOptions { Lease = lease }, NullLogger<RedisAllowances>.Instance);

    private static SubscriptionEntry Subscription(string id, params AllowanceWindow[] windows)
    {
        var plan = new Plan("plan", "Plan", 20m, ["a", "b"], windows, new Dictionary<string, long>(), 1000, OveragePolicy.Block);
        return new SubscriptionEntry(id, "cus_" + id, plan, SubscriptionStatus.Active, Start.AddDays(-10), Start.AddDays(20), null, false, null, Start.AddDays(-10));
    }

    private static CatalogSnapshot Snapshot(SubscriptionEntry subscription) => new([], [], [], 1)
    {
        Subscriptions = new Dictionary<string, SubscriptionEntry> { [subscription.CustomerId] = subscription }.ToFrozenDictionary(StringComparer.Ordinal),
    };

    /// <summary>The usage events' units, as the rebuild reads them.</summary>
    private sealed class History : ISubscriptionStore
    {
        private readonly List<(string CustomerId, string ModelId, long Units, DateTimeOffset At)> _events = [];

        public void Add(string customerId, string modelId, long units, DateTimeOffset at)
        {
            lock (_events) _events.Add((customerId, modelId, units, at));
        }

        public Task<IReadOnlyList<(string CustomerId, string ModelId, long Units, DateTimeOffset At)>> UnitsSinceAsync(DateTimeOffset since, string? customerId = null,
            CancellationToken cancellationToken = default)
        {
            lock (_events)
            {
                return Task.FromResult<IReadOnlyList<(string, string, long, DateTimeOffset)>>(
                    [.. _events.Where(e => e.At >= since && (customerId is null || e.CustomerId == customerId)).OrderBy(e => e.At)]);
            }
        }

        public Task PutPlanAsync(Plan plan, AuditEntry audit, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task SaveAsync(SubscriptionEntry subscription, SubscriptionFee? fee, AuditEntry audit, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public Task<SubscriptionEntry?> GetAsync(string subscriptionId, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<bool> FeeChargedAsync(string reference, CancellationToken cancellationToken = default) => throw new NotSupportedException();
    }
}
