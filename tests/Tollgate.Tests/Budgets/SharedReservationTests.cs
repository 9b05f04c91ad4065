using Tollgate.Budgets;
using Tollgate.Limits;

namespace Tollgate.Tests.Budgets;

/// <summary>A reservation on the cluster's shared accounts, settled: which accounts the charge lands on.</summary>
public sealed class SharedReservationTests
{
    private static readonly DateTimeOffset StartedInNovember = new(2026, 11, 30, 23, 59, 50, TimeSpan.Zero);

    [Fact]
    public async Task SettleAsync_RequestSpansTheEndOfAMonth_ChargedToTheMonthItCompletedAndLastMonthsHoldGivenBack()
    {
        var counters = new RecordingCounters();
        SharedAccount[] ids = [new("km:key_1:2026-11", 1m), new("kl:key_1", null), new("c:2026-11", null), new("w", 0m)];
        var reservation = new Reservation(new Accounts(TimeProvider.System), [], 0.5m, StartedInNovember,
            new SharedReservation(counters, "cus_1", ids, [], "req_1") { Month = "2026-11" });

        await reservation.SettleAsync(0.2m, new DateTimeOffset(2026, 12, 1, 0, 0, 5, TimeSpan.Zero), "900");

        Assert.Equal(["km:key_1:2026-11", "c:2026-11"], counters.Released);
        Assert.Equal(["km:key_1:2026-12", "kl:key_1", "c:2026-12", "w"], counters.Settled);
    }

    [Fact]
    public async Task SettleAsync_WithinTheMonth_ChargedToTheAccountsHeldOnOnly()
    {
        var counters = new RecordingCounters();
        SharedAccount[] ids = [new("c:2026-11", null), new("w", 0m)];
        var reservation = new Reservation(new Accounts(TimeProvider.System), [], 0.5m, StartedInNovember,
            new SharedReservation(counters, "cus_1", ids, [], "req_1") { Month = "2026-11" });

        await reservation.SettleAsync(0.2m, StartedInNovember.AddSeconds(9), "900");

        Assert.Empty(counters.Released);
        Assert.Equal(["c:2026-11", "w"], counters.Settled);
    }

    private sealed class RecordingCounters : ISharedAccounts
    {
        public List<string> Released { get; } = [];

        public List<string> Settled { get; } = [];

        public Task<decimal?[]> SettleAsync(string customerId, SharedAccount[] accounts, string holdId, decimal charged, string? position, JoinedLimits? limits)
        {
            Settled.AddRange(accounts.Select(a => a.Name));
            return Task.FromResult(new decimal?[accounts.Length]);
        }

        public void Release(string customerId, SharedAccount[] accounts, string holdId, JoinedLimits? limits) => Released.AddRange(accounts.Select(a => a.Name));

        public Task<SharedReserve> ReserveAsync(string customerId, SharedAccount[] accounts, string holdId, decimal amount, JoinedLimits? limits) =>
            throw new NotSupportedException();

        public void Refresh(string customerId) => throw new NotSupportedException();

        public Task<DateTimeOffset?> OldestHoldAsync(string customerId) => throw new NotSupportedException();

        public Task<SharedBalance[]> ReadAsync(string customerId, SharedAccount[] accounts) => throw new NotSupportedException();
    }
}
