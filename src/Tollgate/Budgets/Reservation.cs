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

    public Reservation(Accounts owner, SpendAccount[] accounts, decimal amount)
    {
        _owner = owner;
        _accounts = accounts;
        Amount = amount;
    }

    public decimal Amount { get; }

    public bool IsOpen => Volatile.Read(ref _closed) == 0;

    /// <summary>Charges <paramref name="charged"/> (never more than the reservation) and frees the rest.</summary>
    public void Settle(decimal charged, DateTimeOffset now)
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0) return;
        foreach (var account in _accounts)
        {
            var spend = account.Settle(Amount, charged, now);
            if (account.Owner is not null && account.HasBudget && spend.After > spend.Before) _owner.Observer?.Spent(account, spend, now);
        }
        _owner.Closed();
    }

    public void Release()
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0) return;
        foreach (var account in _accounts) account.Release(Amount);
        _owner.Closed();
    }
}
