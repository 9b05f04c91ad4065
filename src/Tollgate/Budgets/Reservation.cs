namespace Tollgate.Budgets;

/// <summary>
/// The worst-case amount held on every account that applies to one request. Released or settled
/// exactly once, whatever path the request takes; the count of open reservations proves none leaks.
/// </summary>
internal sealed class Reservation
{
    private readonly SpendAccount[] _accounts;
    private readonly Accounts _owner;
    private int _closed;

    private readonly SharedReservation? _shared;

    public Reservation(Accounts owner, SpendAccount[] accounts, decimal amount, DateTimeOffset fundedAt, SharedReservation? shared = null)
    {
        _owner = owner;
        _accounts = accounts;
        Amount = amount;
        FundedAt = fundedAt;
        _shared = shared;
    }

    public decimal Amount { get; }

    /// <summary>The instant the charge is dated for the wallet: when the request started, to the stored millisecond.</summary>
    public DateTimeOffset FundedAt { get; }

    public bool IsOpen => Volatile.Read(ref _closed) == 0;

    /// <summary>Charges <paramref name="charged"/> (never more than the reservation) and frees the rest.</summary>
    public void Settle(decimal charged, DateTimeOffset now)
    {
        if (_shared is not null)
        {
            _ = SettleAsync(charged, now);
            return;
        }
        if (Interlocked.Exchange(ref _closed, 1) != 0) return;
        foreach (var account in _accounts)
        {
            var spend = account.Settle(Amount, charged, now, FundedAt);
            if (account.Owner is not null && account.HasBudget && spend.After > spend.Before) _owner.Observer?.Spent(account, spend, now);
        }
        _owner.Closed();
    }

    /// <summary>
    /// As <see cref="Settle"/>; on shared counters it waits for Redis (a failure there is retried in the background,
    /// never thrown). <paramref name="position"/> is where the usage commit landed, which the shared copy is ordered by.
    /// </summary>
    public async Task SettleAsync(decimal charged, DateTimeOffset now, string? position = null)
    {
        if (_shared is not { } shared)
        {
            Settle(charged, now);
            return;
        }
        if (Interlocked.Exchange(ref _closed, 1) != 0) return;
        try
        {
            var ids = shared.Ids;
            var month = now.UtcDateTime.ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture);
            if (shared.Month != month)
            {
                // Began before a month ended and finished after: the ledger counts the charge in the month it completed,
                // so the shared accounts do too, and the hold on last month's is given back apart.
                shared.Counters.Release(shared.CustomerId, [.. ids.Where(a => a.Name.EndsWith(shared.Month, StringComparison.Ordinal))], shared.HoldId);
                ids = [.. ids.Select(a => a.Name.EndsWith(shared.Month, StringComparison.Ordinal) ? a with { Name = a.Name[..^shared.Month.Length] + month } : a)];
            }
            var after = await shared.Counters.SettleAsync(shared.CustomerId, ids, shared.HoldId, charged, position, shared.Limits);
            for (var i = 0; i < _accounts.Length; i++)
            {
                var account = _accounts[i];
                // A budget's b is minus its spend.
                if (account.Owner is null || !account.HasBudget || after[shared.Primary[i]] is not { } balance || charged <= 0) continue;
                _owner.Observer?.Spent(account, account.SharedSpend(-balance, charged), now);
            }
        }
        finally
        {
            _owner.Closed();
        }
    }

    public void Release()
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0) return;
        if (_shared is { } shared) shared.Counters.Release(shared.CustomerId, shared.Ids, shared.HoldId, shared.Limits);
        else foreach (var account in _accounts) account.Release(Amount, FundedAt);
        _owner.Closed();
    }
}

/// <summary>A reservation held in the shared counters: its accounts there, and which of them is each local account's own period.</summary>
internal sealed record SharedReservation(ISharedAccounts Counters, string CustomerId, SharedAccount[] Ids, int[] Primary, string HoldId)
{
    /// <summary>The month (<c>yyyy-MM</c>) the monthly accounts in <see cref="Ids"/> are named for: when the hold was taken.</summary>
    public required string Month { get; init; }

    /// <summary>The request's rate limits, taken with the hold and ended with it; null when it had none there.</summary>
    public Limits.JoinedLimits? Limits { get; init; }
}
