namespace Tollgate.Budgets;

/// <summary>
/// One limit money is reserved against: a wallet (funds plus any credit limit) or a budget (a
/// limit per period, less what the period has spent). Reservations are taken under a lock, so
/// no number of concurrent requests can take more than the headroom: what is not reserved is
/// not served. Amounts are exact decimals.
/// </summary>
internal sealed class SpendAccount(string name, BudgetPeriod period, decimal limit, decimal spentOrFunds, DateTimeOffset periodStart)
{
    private readonly Lock _lock = new();
    private decimal _limit = limit;
    private decimal _used = spentOrFunds;
    private decimal _reserved;
    private DateTimeOffset _periodStart = periodStart;

    /// <summary>What refusals call this account, e.g. "wallet" or "key budget (monthly)".</summary>
    public string Name { get; } = name;

    public BudgetPeriod Period { get; } = period;

    /// <summary>Whose budget this is, for alerts; null for a wallet, which has no thresholds.</summary>
    public BudgetOwner? Owner { get; init; }

    /// <summary>
    /// For a wallet, <c>used</c> holds the funds (the ledger balance) and the limit is the credit
    /// limit; for a budget, <c>used</c> is what the period spent.
    /// </summary>
    private decimal Headroom => Period == BudgetPeriod.Wallet ? _used + _limit - _reserved : _limit - _used - _reserved;

    public bool TryReserve(decimal amount, DateTimeOffset now)
    {
        lock (_lock)
        {
            Roll(now);
            if (amount > Headroom) return false;
            _reserved += amount;
            return true;
        }
    }

    /// <summary>Replaces a reservation by the actual charge; returns the period's spend before and after, for threshold alerts.</summary>
    public BudgetSpend Settle(decimal reserved, decimal charged, DateTimeOffset now)
    {
        lock (_lock)
        {
            Roll(now);
            var before = _used;
            _reserved -= reserved;
            _used += Period == BudgetPeriod.Wallet ? -charged : charged;
            return new BudgetSpend(before, _used, _limit, _periodStart);
        }
    }

    public void Release(decimal reserved)
    {
        lock (_lock) _reserved -= reserved;
    }

    /// <summary>Money in or out of a wallet outside requests: grants, payments, expiries.</summary>
    public void AdjustFunds(decimal delta)
    {
        lock (_lock) _used += delta;
    }

    public void SetLimit(decimal limit)
    {
        lock (_lock) _limit = limit;
    }

    public AccountView View(DateTimeOffset now)
    {
        lock (_lock)
        {
            Roll(now);
            return new AccountView(Name, Period, _limit, _used, _reserved, Headroom, Period is BudgetPeriod.Monthly ? BudgetPeriods.NextMonth(_periodStart) : null);
        }
    }

    /// <summary>A monthly budget starts empty at each UTC month.</summary>
    private void Roll(DateTimeOffset now)
    {
        if (Period != BudgetPeriod.Monthly) return;
        var start = BudgetPeriods.MonthStart(now);
        if (start <= _periodStart) return;
        _periodStart = start;
        _used = 0;
    }
}

/// <summary>A moment's reading of an account, for refusals and <c>/v1/account</c>.</summary>
internal sealed record AccountView(string Name, BudgetPeriod Period, decimal Limit, decimal Used, decimal Reserved, decimal Available, DateTimeOffset? ResetsAt);
