using Tollgate.Billing.Wallets;

namespace Tollgate.Tests.Billing;

/// <summary>
/// Many grants of mixed kinds and expiries against many debits: a live wallet (grants added as they
/// are made, debits taken as they come) and the replay of the same history agree grant by grant, and
/// both follow the written rule (promotional before purchased; soonest expiry first, never-expiring
/// last; then oldest; usable in [created, expires)), checked against an independent greedy oracle.
/// </summary>
public sealed class WalletLotsPropertyTests
{
    private static readonly DateTimeOffset Start = new(2028, 2, 28, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Consume_RandomHistoriesInStartOrder_LiveWalletAgreesWithReplayGrantByGrant() =>
        ForEachHistory((seed, grants, debits, end, replay) =>
        {
            var (remaining, expired, unfunded) = Live(grants, debits.OrderBy(d => d.At).ThenBy(d => d.Id), end);

            Assert.True(unfunded == replay.Unfunded, $"seed {seed}: unfunded {unfunded} vs replay {replay.Unfunded}");
            foreach (var grant in grants)
            {
                Assert.True(replay.Remaining[grant.Id] == remaining.GetValueOrDefault(grant.Id), $"seed {seed}: remaining of {grant.Id}");
                Assert.True(replay.Expired.GetValueOrDefault(grant.Id) == expired.GetValueOrDefault(grant.Id), $"seed {seed}: expired of {grant.Id}");
            }
        });

    [Fact]
    public void Run_RandomHistories_FollowsTheWrittenConsumptionRuleAndConservesMoney() =>
        ForEachHistory((seed, grants, debits, end, replay) =>
        {
            var (remaining, expired, unfunded) = Oracle(grants, debits, end);

            Assert.True(unfunded == replay.Unfunded, $"seed {seed}: unfunded {unfunded} vs replay {replay.Unfunded}");
            foreach (var grant in grants)
            {
                Assert.True(remaining[grant.Id] == replay.Remaining[grant.Id], $"seed {seed}: remaining of {grant.Id}: oracle {remaining[grant.Id]}, replay {replay.Remaining[grant.Id]}");
                Assert.True(expired.GetValueOrDefault(grant.Id) == replay.Expired.GetValueOrDefault(grant.Id), $"seed {seed}: expired of {grant.Id}");
            }
            // Every dollar granted is still held, was lost to an expiry, or paid a debit.
            var funded = debits.Sum(d => d.Amount) - replay.Unfunded;
            Assert.Equal(grants.Sum(g => g.Amount), replay.Remaining.Values.Sum() + replay.Expired.Values.Sum() + funded);
            Assert.All(replay.Remaining.Values.Concat(replay.Expired.Values), v => Assert.True(v >= 0m, $"seed {seed}: a negative remainder {v}"));
        });

    /// <summary>400 seeded histories, each replayed up to an instant after every debit and expiry.</summary>
    private static void ForEachHistory(Action<int, List<Grant>, List<WalletReplay.Debit>, DateTimeOffset, WalletReplay.Result> check)
    {
        var end = Start.AddDays(10);
        for (var seed = 1; seed <= 400; seed++)
        {
            var (grants, debits) = History(new Random(seed));
            check(seed, grants, debits, end, WalletReplay.Run(grants, debits, end));
        }
    }

    [Theory]
    [InlineData(-1, 0)] // T − 1 ms: the grant still pays, nothing unfunded.
    [InlineData(0, 1)] // T exactly: unusable from its expiry instant on.
    [InlineData(300, 1)] // T + 300 ms.
    public void Run_DebitAtTheExpiryInstant_GrantUsableOnlyBeforeIt(int millisecondsFromExpiry, int unfunded)
    {
        var expiry = Start.AddDays(1);
        var grant = new Grant("g", GrantKind.Promotional, 1m, Start, expiry);

        var replay = WalletReplay.Run([grant], [new WalletReplay.Debit(expiry.AddMilliseconds(millisecondsFromExpiry), 1m, 1)], expiry.AddDays(1));

        Assert.Equal((decimal)unfunded, replay.Unfunded);
        // What the debit did not take leaves at the expiry: $1 − $1 = 0 before T, $1 − 0 = 1 from T on.
        Assert.Equal((decimal)unfunded, replay.Expired["g"]);
    }

    [Fact]
    public void Run_GrantMadeAfterTheDebitStarted_DoesNotFundIt()
    {
        // A request started at 10:00:00.000 and completed after a grant made at 10:00:00.001: the grant cannot pay it.
        var started = Start.AddHours(10);
        var grant = new Grant("late", GrantKind.Purchased, 5m, started.AddMilliseconds(1), null);

        var replay = WalletReplay.Run([grant], [new WalletReplay.Debit(started, 2m, 1)], Start.AddDays(1));

        Assert.Equal(2m, replay.Unfunded);
        Assert.Equal(5m, replay.Remaining["late"]);
    }

    /// <summary>A live wallet: every grant added when made (all made by <paramref name="now"/>), each debit taken as it arrives, expiries at the end.</summary>
    private static (Dictionary<string, decimal> Remaining, Dictionary<string, decimal> Expired, decimal Unfunded) Live(
        IReadOnlyList<Grant> grants, IEnumerable<WalletReplay.Debit> arrivals, DateTimeOffset now)
    {
        var lots = new WalletLots();
        var added = new HashSet<string>(StringComparer.Ordinal);
        var expired = new Dictionary<string, decimal>(StringComparer.Ordinal);
        var unfunded = 0m;
        foreach (var debit in arrivals)
        {
            foreach (var grant in grants.Where(g => g.CreatedAt <= debit.At && added.Add(g.Id))) lots.Add(grant, grant.Amount);
            foreach (var (grant, left) in lots.ExpireAt(debit.At)) expired[grant.Id] = left;
            unfunded += lots.Consume(debit.Amount, debit.At).Unfunded;
        }
        foreach (var grant in grants.Where(g => added.Add(g.Id))) lots.Add(grant, grant.Amount);
        foreach (var (grant, left) in lots.ExpireAt(now)) expired[grant.Id] = left;
        var remaining = lots.Remaining().ToDictionary(StringComparer.Ordinal);
        foreach (var grant in grants) remaining.TryAdd(grant.Id, 0m);
        return (remaining, expired, unfunded);
    }

    /// <summary>
    /// The rule as written, independently: each debit, in time order, takes greedily from the grants usable at its
    /// instant sorted promotional first, then by expiry (none last), then creation, then id; a grant's expiry
    /// takes what is left of it at that instant.
    /// </summary>
    private static (Dictionary<string, decimal> Remaining, Dictionary<string, decimal> Expired, decimal Unfunded) Oracle(
        IReadOnlyList<Grant> grants, IReadOnlyList<WalletReplay.Debit> debits, DateTimeOffset now)
    {
        var left = grants.ToDictionary(g => g.Id, g => g.Amount, StringComparer.Ordinal);
        var expired = new Dictionary<string, decimal>(StringComparer.Ordinal);
        var unfunded = 0m;
        foreach (var debit in debits.OrderBy(d => d.At))
        {
            var need = debit.Amount;
            var usable = grants.Where(g => g.CreatedAt <= debit.At && (g.ExpiresAt is null || debit.At < g.ExpiresAt))
                .OrderBy(g => g.Kind == GrantKind.Promotional ? 0 : 1)
                .ThenBy(g => g.ExpiresAt is null ? 1 : 0).ThenBy(g => g.ExpiresAt ?? DateTimeOffset.MaxValue)
                .ThenBy(g => g.CreatedAt).ThenBy(g => g.Id, StringComparer.Ordinal);
            foreach (var grant in usable)
            {
                var take = Math.Min(need, left[grant.Id]);
                left[grant.Id] -= take;
                need -= take;
            }
            unfunded += need;
        }
        foreach (var grant in grants.Where(g => g.ExpiresAt is { } at && at <= now))
        {
            expired[grant.Id] = left[grant.Id];
            left[grant.Id] = 0m;
        }
        return (left, expired, unfunded);
    }

    /// <summary>
    /// 2–8 grants and 1–12 debits over three days from 28 Feb 2028 (a leap day inside), amounts to the micro-dollar;
    /// some grants share a creation or expiry instant, some debits fall exactly on an expiry instant or a millisecond
    /// either side of it.
    /// </summary>
    private static (List<Grant> Grants, List<WalletReplay.Debit> Debits) History(Random random)
    {
        var instants = Enumerable.Range(0, 6).Select(i => Start.AddHours(random.Next(0, 72)).AddMilliseconds(random.Next(0, 3) * 500)).ToArray();
        var grants = Enumerable.Range(0, random.Next(2, 9)).Select(i =>
        {
            var created = instants[random.Next(instants.Length)];
            DateTimeOffset? expires = random.Next(3) == 0 ? null : created.AddHours(random.Next(1, 48));
            return new Grant($"g{i}", random.Next(2) == 0 ? GrantKind.Promotional : GrantKind.Purchased, random.Next(1, 3_000_000) / 1_000_000m, created, expires);
        }).ToList();
        var edges = grants.Where(g => g.ExpiresAt is not null).Select(g => g.ExpiresAt!.Value).Concat(instants).ToArray();
        var debits = Enumerable.Range(0, random.Next(1, 13)).Select(i =>
        {
            var at = random.Next(2) == 0 ? edges[random.Next(edges.Length)].AddMilliseconds(random.Next(-1, 2)) : Start.AddMinutes(random.Next(0, 72 * 60));
            return new WalletReplay.Debit(at, random.Next(1, 2_000_000) / 1_000_000m, i + 1);
        }).ToList();
        return (grants, debits);
    }
}
