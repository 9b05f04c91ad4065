using Tollgate.Billing.Wallets;

namespace Tollgate.Budgets;

/// <summary>
/// One limit money is reserved against: a wallet (funds plus any credit limit) or a budget (a
/// limit per period, less what the period has spent). Reservations are taken under a lock, so
/// no number of concurrent requests can take more than the headroom: what is not reserved is
/// not served. Amounts are exact decimals.
/// </summary>
/// <remarks>
/// A budget account exists for every key and every customer whether or not a budget is set, and
/// counts the month's and the lifetime's spend all along: a budget set or changed at any moment
/// then counts everything its period spent, not only what it saw itself. A customer's account
/// also carries the tier's monthly spend cap, a second ceiling over the same spend.
/// </remarks>
internal sealed class SpendAccount
{
    /// <summary>The limit of an account that only counts: no budget is set.</summary>
    public const decimal NoLimit = decimal.MaxValue;

    private readonly Lock _lock = new();
    private decimal _limit;
    private decimal _cap = NoLimit;
    private decimal _funds;
    private decimal _month;
    private decimal _lifetime;
    private decimal _reserved;
    private DateTimeOffset _periodStart;
    // A wallet's grants, in the order debits consume them, and the instants its open reservations'
    // debits will be dated (so an expiry entry waits for the requests its grant may still fund).
    private readonly WalletLots? _lots;
    private readonly SortedDictionary<DateTimeOffset, int>? _openFunding;
    // Debits wait here until every request that started before them has settled: the grants are then
    // consumed in the order the requests started, as the replay of the ledger consumes them, whatever
    // order the requests finished in. Until then the funds already count them, so admission only errs low.
    private readonly List<(DateTimeOffset At, decimal Amount)>? _waitingDebits;

    public SpendAccount(string name, BudgetPeriod period, decimal limit, decimal spentOrFunds, DateTimeOffset periodStart)
        : this(name, period, limit, spentOrFunds, spentOrFunds, periodStart)
    {
    }

    /// <summary>A wallet with its ledger balance and what is left of each grant not yet expired (from the replay).</summary>
    public SpendAccount(string name, decimal limit, decimal funds, IEnumerable<(Grant Grant, decimal Remaining)> grants, DateTimeOffset periodStart)
        : this(name, BudgetPeriod.Wallet, limit, funds, funds, periodStart)
    {
        foreach (var (grant, remaining) in grants) _lots!.Add(grant, remaining);
    }

    /// <summary><paramref name="fundsOrMonth"/> is a wallet's funds (its ledger balance) or a budget's spend this month; <paramref name="lifetime"/> a budget's spend ever.</summary>
    public SpendAccount(string name, BudgetPeriod period, decimal limit, decimal fundsOrMonth, decimal lifetime, DateTimeOffset periodStart)
    {
        Name = name;
        Period = period;
        _limit = limit;
        if (period == BudgetPeriod.Wallet) _funds = fundsOrMonth;
        else _month = fundsOrMonth;
        _lifetime = lifetime;
        _periodStart = BudgetPeriods.MonthStart(periodStart);
        if (period != BudgetPeriod.Wallet) return;
        _lots = new WalletLots();
        _openFunding = [];
        _waitingDebits = [];
    }

    /// <summary>What refusals call this account, e.g. "wallet" or "key budget (monthly)".</summary>
    public string Name { get; private set; }

    /// <summary>A key's budget may switch between monthly and lifetime; its spend of both is kept.</summary>
    public BudgetPeriod Period { get; private set; }

    /// <summary>Whose budget this is, for alerts; null for a wallet, which has no thresholds.</summary>
    public BudgetOwner? Owner { get; init; }

    /// <summary>A budget is set (not only counting); alerts look at budgets only.</summary>
    public bool HasBudget => Volatile.Read(ref _hasBudget);

    /// <summary>The tier standing the cap was last taken from, so the request path sets it only on change.</summary>
    public object? CapSource => Volatile.Read(ref _capSource);

    /// <summary>What a refusal by the cap calls it, e.g. "tier 1 monthly spend cap".</summary>
    public string? CapName { get; private set; }

    private bool _hasBudget;
    private object? _capSource;

    private decimal Used => Period switch
    {
        BudgetPeriod.Wallet => _funds,
        BudgetPeriod.Lifetime => _lifetime,
        _ => _month,
    };

    /// <summary>
    /// For a wallet the funds it may spend (not the remainders of expired grants, nor grants made
    /// after the debit's date) plus the credit limit; for a budget the limit (or cap, whichever is
    /// lower) less the period's spend. Reserved money counts as spent.
    /// </summary>
    private decimal Headroom(DateTimeOffset now, DateTimeOffset fundedAt) =>
        Period == BudgetPeriod.Wallet ? _funds - _lots!.Unusable(now, fundedAt) + _limit - _reserved : Math.Min(_limit, _cap) - Used - _reserved;

    /// <summary>Holds <paramref name="amount"/> if it fits; <paramref name="fundedAt"/> is the instant the request's debit will be dated (it started).</summary>
    public bool TryReserve(decimal amount, DateTimeOffset now, DateTimeOffset fundedAt)
    {
        lock (_lock)
        {
            Roll(now);
            if (amount > Headroom(now, fundedAt)) return false;
            _reserved += amount;
            if (_openFunding is not null) _openFunding[fundedAt] = _openFunding.GetValueOrDefault(fundedAt) + 1;
            return true;
        }
    }

    /// <summary>
    /// Replaces a reservation by the actual charge, taken from the grants usable at <paramref name="fundedAt"/>;
    /// returns the period's spend before and after, for threshold alerts.
    /// </summary>
    public BudgetSpend Settle(decimal reserved, decimal charged, DateTimeOffset now, DateTimeOffset fundedAt)
    {
        lock (_lock)
        {
            Roll(now);
            var before = Used;
            _reserved -= reserved;
            if (Period == BudgetPeriod.Wallet)
            {
                _funds -= charged;
                Closed(fundedAt);
                if (charged > 0) Debit(charged, fundedAt);
                ApplyWaitingDebits();
            }
            else
            {
                _month += charged;
                _lifetime += charged;
            }
            return new BudgetSpend(before, Used, _limit, _periodStart);
        }
    }

    public void Release(decimal reserved, DateTimeOffset fundedAt)
    {
        lock (_lock)
        {
            _reserved -= reserved;
            Closed(fundedAt);
            ApplyWaitingDebits();
        }
    }

    private void Debit(decimal amount, DateTimeOffset at)
    {
        var waiting = _waitingDebits!;
        var index = waiting.Count;
        while (index > 0 && waiting[index - 1].At > at) index--;
        waiting.Insert(index, (at, amount));
    }

    /// <summary>Consumes, in date order, every waiting debit no request still in flight started before.</summary>
    private void ApplyWaitingDebits()
    {
        if (_waitingDebits is not { Count: > 0 } waiting) return;
        DateTimeOffset? oldestOpen = _openFunding is { Count: > 0 } open ? open.Keys.First() : null;
        var applied = 0;
        while (applied < waiting.Count && (oldestOpen is not { } oldest || waiting[applied].At <= oldest))
        {
            _lots!.Consume(waiting[applied].Amount, waiting[applied].At);
            applied++;
        }
        waiting.RemoveRange(0, applied);
    }

    private void Closed(DateTimeOffset fundedAt)
    {
        if (_openFunding is null || !_openFunding.TryGetValue(fundedAt, out var count)) return;
        if (count > 1) _openFunding[fundedAt] = count - 1;
        else _openFunding.Remove(fundedAt);
    }

    /// <summary>The earliest date a debit of a request still in flight will carry; null when none is open.</summary>
    public DateTimeOffset? OldestOpenFunding()
    {
        lock (_lock) return _openFunding is { Count: > 0 } open ? open.Keys.First() : null;
    }

    /// <summary>
    /// Money in or out of a wallet outside requests and grants: payments, fees, adjustments. A debit
    /// is taken from the grants usable at <paramref name="at"/>, as the replay of its ledger entry will.
    /// </summary>
    public void AdjustFunds(decimal delta, DateTimeOffset at)
    {
        lock (_lock)
        {
            _funds += delta;
            if (delta >= 0 || _lots is null) return;
            Debit(-delta, at);
            ApplyWaitingDebits();
        }
    }

    /// <summary>A new grant: its amount joins the funds and backs debits from its creation until its expiry.</summary>
    public void AddGrant(Grant grant)
    {
        lock (_lock)
        {
            _funds += grant.Amount;
            _lots?.Add(grant, grant.Amount);
        }
    }

    /// <summary>An expiry entry of <paramref name="amount"/> was written for the grant: the funds drop by exactly that.</summary>
    public void ExpireGrant(string grantId, decimal amount)
    {
        lock (_lock)
        {
            _funds -= amount;
            _lots?.Remove(grantId);
        }
    }

    public void SetLimit(decimal limit)
    {
        lock (_lock) _limit = limit;
    }

    /// <summary>Sets or clears (null) a budget, and for a key its period; the spend counted so far stays.</summary>
    public void SetBudget(decimal? limit, BudgetPeriod period, string name)
    {
        lock (_lock)
        {
            _limit = limit ?? NoLimit;
            Period = period;
            Name = name;
            Volatile.Write(ref _hasBudget, limit is not null);
        }
    }

    /// <summary>Sets the tier's monthly spend cap (null: none), remembering which standing it came from.</summary>
    public void SetCap(decimal? cap, string? name, object source)
    {
        lock (_lock)
        {
            _cap = cap ?? NoLimit;
            CapName = cap is null ? null : name;
            Volatile.Write(ref _capSource, source);
        }
    }

    /// <summary>The ceiling the shared counters check: a wallet's credit limit, a budget's limit or cap (null: only counts).</summary>
    public decimal? SharedCeiling()
    {
        lock (_lock)
        {
            if (Period == BudgetPeriod.Wallet) return _limit;
            var ceiling = Math.Min(_limit, _cap);
            return ceiling == NoLimit ? null : ceiling;
        }
    }

    /// <summary>A settlement done by the shared counters, as threshold alerts see it: the period's spend after it, and before.</summary>
    public BudgetSpend SharedSpend(decimal spentAfter, decimal charged)
    {
        lock (_lock) return new BudgetSpend(spentAfter - charged, spentAfter, _limit, _periodStart);
    }

    public AccountView View(DateTimeOffset now)
    {
        lock (_lock)
        {
            Roll(now);
            // A wallet's balance leaves out what expired grants still hold until their expiry entries are written.
            var used = Period == BudgetPeriod.Wallet ? _funds - _lots!.Unusable(now, now) : Used;
            return ViewOf(used, _reserved, Headroom(now, now), _month);
        }
    }

    /// <summary>
    /// The view with the figures the shared counters hold (across a cluster this node's own counts
    /// only what it served): a wallet's funds, or a budget's spend this month and ever, and what is held.
    /// </summary>
    public AccountView SharedView(DateTimeOffset now, decimal fundsOrMonth, decimal lifetime, decimal reserved)
    {
        lock (_lock)
        {
            Roll(now);
            var used = Period == BudgetPeriod.Lifetime ? lifetime : fundsOrMonth;
            var headroom = Period == BudgetPeriod.Wallet ? fundsOrMonth + _limit - reserved : Math.Min(_limit, _cap) - used - reserved;
            return ViewOf(used, reserved, headroom, Period == BudgetPeriod.Wallet ? _month : fundsOrMonth);
        }
    }

    private AccountView ViewOf(decimal used, decimal reserved, decimal headroom, decimal month) =>
        new(Name, Period, _limit, used, reserved, headroom, Period is BudgetPeriod.Monthly ? BudgetPeriods.NextMonth(_periodStart) : null)
        {
            Cap = _cap == NoLimit ? null : _cap,
            CapName = CapName,
            RefusedByCap = _cap < _limit,
            MonthSpent = month,
            MonthResetsAt = BudgetPeriods.NextMonth(_periodStart),
        };

    /// <summary>The month's spend starts again at each UTC month; the lifetime's never does.</summary>
    private void Roll(DateTimeOffset now)
    {
        if (Period == BudgetPeriod.Wallet) return;
        var start = BudgetPeriods.MonthStart(now);
        if (start <= _periodStart) return;
        _periodStart = start;
        _month = 0;
    }
}

/// <summary>A moment's reading of an account, for refusals and <c>/v1/account</c>.</summary>
internal sealed record AccountView(string Name, BudgetPeriod Period, decimal Limit, decimal Used, decimal Reserved, decimal Available, DateTimeOffset? ResetsAt)
{
    /// <summary>The tier's monthly spend cap on a customer's account; null when none applies.</summary>
    public decimal? Cap { get; init; }

    public string? CapName { get; init; }

    /// <summary>The cap, not the budget, is the lower ceiling: a refusal is <c>spend_cap_reached</c>.</summary>
    public bool RefusedByCap { get; init; }

    /// <summary>This UTC month's spend (what the cap counts), whatever the budget's period.</summary>
    public decimal MonthSpent { get; init; }

    public DateTimeOffset MonthResetsAt { get; init; }
}
