using System.Collections.Concurrent;
using Tollgate.Billing.Catalog;
using Tollgate.Billing.Wallets;
using Tollgate.Catalog;

namespace Tollgate.Budgets;

/// <summary>
/// Every spend account of this node, in memory: customer wallets (funds plus credit limit), one
/// account per key (its budget, if any) and one per customer (its monthly budget and its tier's
/// monthly spend cap, if any). Funds come from the durable ledger at start and move with each
/// settled request, grant and expiry; limits follow the catalog snapshot and the tier standings.
/// </summary>
internal sealed class Accounts(TimeProvider time, IBudgetObserver? observer = null, Tiers? tiers = null, ISharedAccounts? shared = null)
{
    private const string CustomerBudgetName = "customer monthly budget";

    private readonly ConcurrentDictionary<string, SpendAccount> _wallets = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, SpendAccount> _keyAccounts = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, SpendAccount> _customerAccounts = new(StringComparer.Ordinal);
    // The accounts each key's requests reserve on, built when the snapshot changes, so a request allocates no list.
    private readonly ConcurrentDictionary<string, SpendAccount[]> _applicable = new(StringComparer.Ordinal);
    private AccountTotals _totals = AccountTotals.Empty;
    private long _open;

    /// <summary>Told of each settlement that moved a budget, for threshold alerts.</summary>
    internal IBudgetObserver? Observer => observer;

    /// <summary>Spend tiers; null when tiers are off.</summary>
    internal Tiers? Tiers => tiers;

    /// <summary>Reservations taken and not yet settled or released: zero whenever no request is in flight.</summary>
    public long OpenReservations => Interlocked.Read(ref _open);

    /// <summary>Starts from the ledger's balances and the spend of the current month (and lifetime, for keys).</summary>
    public void Load(AccountTotals totals, CatalogSnapshot snapshot)
    {
        _totals = totals;
        _wallets.Clear();
        _keyAccounts.Clear();
        _customerAccounts.Clear();
        _applicable.Clear();
        Apply(snapshot);
    }

    /// <summary>
    /// Brings limits in line with the snapshot; creates accounts for new customers and keys. Spend
    /// and funds are kept: a budget set now counts all of its period's spend so far.
    /// </summary>
    public void Apply(CatalogSnapshot snapshot)
    {
        var month = BudgetPeriods.MonthStart(time.GetUtcNow());
        foreach (var customer in snapshot.Customers.Values)
        {
            var credit = customer.BillingMode == BillingMode.Prepaid ? 0m : customer.CreditLimit ?? 0m;
            _wallets.AddOrUpdate(customer.Id,
                id => new SpendAccount("wallet", credit, _totals.Balances.GetValueOrDefault(id), _totals.Grants.GetValueOrDefault(id) ?? [], month),
                (_, wallet) => { wallet.SetLimit(credit); return wallet; });
            var account = _customerAccounts.GetOrAdd(customer.Id, id => new SpendAccount(CustomerBudgetName, BudgetPeriod.Monthly, SpendAccount.NoLimit,
                _totals.CustomerMonthSpend.GetValueOrDefault(id), 0m, month)
            {
                Owner = new BudgetOwner(BudgetOwner.CustomerScope, id, null),
            });
            account.SetBudget(customer.MonthlyBudget, BudgetPeriod.Monthly, CustomerBudgetName);
        }
        foreach (var key in snapshot.Keys.Values)
        {
            var account = _keyAccounts.GetOrAdd(key.Id, id => new SpendAccount(KeyBudgetName(key.BudgetPeriod), key.BudgetPeriod, SpendAccount.NoLimit,
                _totals.KeyMonthSpend.GetValueOrDefault(id), _totals.KeyLifetimeSpend.GetValueOrDefault(id), month)
            {
                Owner = new BudgetOwner(BudgetOwner.KeyScope, key.CustomerId, key.Id),
            });
            account.SetBudget(key.Budget, key.BudgetPeriod, KeyBudgetName(key.BudgetPeriod));
            if (snapshot.Customers.TryGetValue(key.CustomerId, out var customer)) _applicable[key.Id] = Build(customer, key);
        }
    }

    /// <summary>
    /// Holds <paramref name="amount"/> on every account that applies, or on none: the first that
    /// cannot cover it is returned as the refusal, with the others left untouched. The charge will be
    /// dated <paramref name="fundedAt"/> (when the request started, to the stored millisecond): a
    /// wallet counts only the grants usable then and still usable now.
    /// </summary>
    public Reservation? TryReserve(CustomerEntry customer, KeyEntry key, decimal amount, DateTimeOffset fundedAt, out AccountView? refusedBy)
    {
        var now = time.GetUtcNow();
        var accounts = Applicable(customer, key);
        if (tiers is not null) ApplyCap(customer, now);
        for (var i = 0; i < accounts.Length; i++)
        {
            if (accounts[i].TryReserve(amount, now, fundedAt)) continue;
            for (var j = 0; j < i; j++) accounts[j].Release(amount, fundedAt);
            refusedBy = accounts[i].View(now);
            return null;
        }
        refusedBy = null;
        Interlocked.Increment(ref _open);
        return new Reservation(this, accounts, amount, fundedAt);
    }

    /// <summary>
    /// As <see cref="TryReserve"/>, on the shared counters when a cluster has them (one Redis round
    /// trip: all accounts or none, with the request's rate <paramref name="limits"/> taken in the same
    /// call), else in memory. Limits come from this node's snapshot.
    /// </summary>
    public async ValueTask<ReserveOutcome> TryReserveAsync(CustomerEntry customer, KeyEntry key, decimal amount, string holdId,
        DateTimeOffset fundedAt, Limits.JoinedLimits? limits = null)
    {
        if (shared is null) return new ReserveOutcome(TryReserve(customer, key, amount, fundedAt, out var refused), refused, null);
        var now = time.GetUtcNow();
        var accounts = Applicable(customer, key);
        if (tiers is not null) ApplyCap(customer, now);
        var (ids, primary) = SharedIds(accounts, customer, key, now);
        var answer = await shared.ReserveAsync(customer.Id, ids, holdId, amount, limits);
        if (answer.Limits is { Refused: >= 0 }) return new ReserveOutcome(null, null, answer.Limits);
        if (answer.Refusal is { } refusal)
        {
            // Only an account's own period has a ceiling, so the refusing one is always some account's primary.
            var index = Math.Max(Array.IndexOf(primary, refusal.Index), 0);
            return new ReserveOutcome(null, accounts[index].View(now) with { Available = refusal.Available }, answer.Limits);
        }
        Interlocked.Increment(ref _open);
        return new ReserveOutcome(new Reservation(this, accounts, amount, fundedAt, new SharedReservation(shared, customer.Id, ids, primary, holdId)
        {
            Month = now.UtcDateTime.ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture),
            Limits = limits,
        }), null, answer.Limits);
    }

    /// <summary>
    /// The shared accounts behind the local ones: a key counts its month and its lifetime (only its
    /// budget's period is checked), a customer its month, a wallet its funds and credit limit.
    /// </summary>
    private static (SharedAccount[] Ids, int[] Primary) SharedIds(SpendAccount[] accounts, CustomerEntry customer, KeyEntry key, DateTimeOffset now)
    {
        var month = now.UtcDateTime.ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture);
        var ids = new List<SharedAccount>(accounts.Length + 1);
        var primary = new int[accounts.Length];
        for (var i = 0; i < accounts.Length; i++)
        {
            var account = accounts[i];
            var ceiling = account.SharedCeiling();
            switch (account.Owner?.Scope)
            {
                case BudgetOwner.KeyScope:
                    var lifetime = account.Period == BudgetPeriod.Lifetime;
                    primary[i] = ids.Count + (lifetime ? 1 : 0);
                    ids.Add(new SharedAccount($"km:{key.Id}:{month}", lifetime ? null : ceiling));
                    ids.Add(new SharedAccount($"kl:{key.Id}", lifetime ? ceiling : null));
                    break;
                case BudgetOwner.CustomerScope:
                    primary[i] = ids.Count;
                    ids.Add(new SharedAccount($"c:{month}", ceiling));
                    break;
                default:
                    primary[i] = ids.Count;
                    ids.Add(new SharedAccount("w", ceiling));
                    break;
            }
        }
        return ([.. ids], primary);
    }

    /// <summary>The accounts a request of this key reserves on: the key's, the customer's, then the wallet if one caps spend.</summary>
    public SpendAccount[] Applicable(CustomerEntry customer, KeyEntry key) =>
        _applicable.TryGetValue(key.Id, out var cached) ? cached : Build(customer, key);

    /// <summary>The customer's wallet; null for a postpaid customer without a credit limit, whose spend is not capped.</summary>
    public SpendAccount? Wallet(CustomerEntry customer) =>
        customer.BillingMode == BillingMode.Postpaid && customer.CreditLimit is null ? null : _wallets.GetValueOrDefault(customer.Id);

    /// <summary>Payments, fees and adjustments move funds without a request; <paramref name="at"/> is their ledger entry's time.</summary>
    public void AdjustFunds(string customerId, decimal delta, DateTimeOffset at)
    {
        if (_wallets.TryGetValue(customerId, out var wallet)) wallet.AdjustFunds(delta, at);
        shared?.Refresh(customerId);
    }

    /// <summary>The customer's ledger took entries this node's wallet does not track one by one: the cluster's shared copy re-reads it.</summary>
    public void LedgerChanged(string customerId) => shared?.Refresh(customerId);

    /// <summary>A grant was written to the ledger.</summary>
    public void AddGrant(string customerId, Grant grant)
    {
        if (_wallets.TryGetValue(customerId, out var wallet)) wallet.AddGrant(grant);
        shared?.Refresh(customerId);
    }

    /// <summary>A grant's expiry entry of <paramref name="amount"/> (its unused remainder) was written to the ledger.</summary>
    public void ExpireGrant(string customerId, string grantId, decimal amount)
    {
        if (_wallets.TryGetValue(customerId, out var wallet)) wallet.ExpireGrant(grantId, amount);
        if (amount != 0) shared?.Refresh(customerId);
    }

    /// <summary>
    /// The instant up to which the customer's expired grants can be written off: a grant that expired
    /// after the start of a request still in flight may yet fund it, so its entry waits for that request.
    /// </summary>
    public DateTimeOffset ExpirySettledUntil(string customerId, DateTimeOffset now) =>
        _wallets.TryGetValue(customerId, out var wallet) && wallet.OldestOpenFunding() is { } oldest && oldest < now ? oldest : now;

    /// <summary>
    /// As <see cref="ExpirySettledUntil"/>; across a cluster the requests in flight are every node's, so the oldest
    /// hold on the shared wallet decides (a hold is taken as its request starts).
    /// </summary>
    public async Task<DateTimeOffset> ExpirySettledUntilAsync(string customerId, DateTimeOffset now)
    {
        var until = ExpirySettledUntil(customerId, now);
        if (shared is not null && await shared.OldestHoldAsync(customerId) is { } oldest && oldest < until) until = oldest;
        return until;
    }

    public AccountView? WalletView(string customerId) => _wallets.GetValueOrDefault(customerId)?.View(time.GetUtcNow());

    /// <summary>
    /// As <see cref="WalletView"/>; across a cluster from the shared counters, which every node charges, so every
    /// node shows the same balance and holds (this node's own wallet only counts what it served itself).
    /// </summary>
    public async ValueTask<AccountView?> WalletViewAsync(string customerId)
    {
        var now = time.GetUtcNow();
        if (!_wallets.TryGetValue(customerId, out var wallet)) return null;
        if (shared is null) return wallet.View(now);
        var read = (await shared.ReadAsync(customerId, [new SharedAccount("w", wallet.SharedCeiling())]))[0];
        return wallet.SharedView(now, read.Balance, 0m, read.Held);
    }

    /// <summary>The customer's own account (monthly budget and spend cap over this month's spend), with its tier cap current.</summary>
    public AccountView? CustomerView(CustomerEntry customer)
    {
        var now = time.GetUtcNow();
        if (tiers is not null) ApplyCap(customer, now);
        return _customerAccounts.GetValueOrDefault(customer.Id)?.View(now);
    }

    /// <summary>As <see cref="CustomerView"/>; across a cluster with this month's spend and holds from the shared counters.</summary>
    public async ValueTask<AccountView?> CustomerViewAsync(CustomerEntry customer)
    {
        if (shared is null || CustomerView(customer) is null) return CustomerView(customer);
        var now = time.GetUtcNow();
        var month = now.UtcDateTime.ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture);
        var read = (await shared.ReadAsync(customer.Id, [new SharedAccount($"c:{month}", null)]))[0];
        return _customerAccounts[customer.Id].SharedView(now, -read.Balance, -read.Balance, read.Held);
    }

    /// <summary>
    /// The wallet, the key's and the customer's accounts as <c>/v1/account</c> and the console show them: across a
    /// cluster from the shared counters (one Redis call), which count every node's requests; else this node's.
    /// </summary>
    public async ValueTask<AccountFigures> FiguresAsync(CustomerEntry customer, KeyEntry key)
    {
        var now = time.GetUtcNow();
        if (tiers is not null) ApplyCap(customer, now);
        var accounts = Applicable(customer, key);
        if (shared is null) return Figures(accounts, [.. accounts.Select(a => a.View(now))]);
        var (ids, primary) = SharedIds(accounts, customer, key, now);
        var read = await shared.ReadAsync(customer.Id, ids);
        var views = new AccountView[accounts.Length];
        for (var i = 0; i < accounts.Length; i++)
        {
            var own = read[primary[i]];
            views[i] = accounts[i].Owner?.Scope switch
            {
                // A key's shared accounts are its month then its lifetime; a budget's balance is minus its spend.
                BudgetOwner.KeyScope => accounts[i].SharedView(now, -read[primary[i] - (accounts[i].Period == BudgetPeriod.Lifetime ? 1 : 0)].Balance,
                    -read[primary[i] + (accounts[i].Period == BudgetPeriod.Lifetime ? 0 : 1)].Balance, own.Held),
                BudgetOwner.CustomerScope => accounts[i].SharedView(now, -own.Balance, -own.Balance, own.Held),
                _ => accounts[i].SharedView(now, own.Balance, 0m, own.Held),
            };
        }
        return Figures(accounts, views);
    }

    private static AccountFigures Figures(SpendAccount[] accounts, AccountView[] views)
    {
        AccountView? wallet = null, keyView = null, customerView = null;
        for (var i = 0; i < accounts.Length; i++)
        {
            switch (accounts[i].Owner?.Scope)
            {
                case BudgetOwner.KeyScope: keyView = views[i]; break;
                case BudgetOwner.CustomerScope: customerView = views[i]; break;
                default: wallet = views[i]; break;
            }
        }
        return new AccountFigures(wallet, keyView, customerView);
    }

    internal void Closed() => Interlocked.Decrement(ref _open);

    /// <summary>Keeps the customer's cap at its tier's; a reference check unless the standing changed.</summary>
    private void ApplyCap(CustomerEntry customer, DateTimeOffset now)
    {
        var standing = tiers!.Standing(customer, now);
        if (_customerAccounts.TryGetValue(customer.Id, out var account) && !ReferenceEquals(account.CapSource, standing))
            account.SetCap(standing.Current.MonthlySpendCap, $"{standing.Current.Name} monthly spend cap", standing);
    }

    private SpendAccount[] Build(CustomerEntry customer, KeyEntry key)
    {
        var month = BudgetPeriods.MonthStart(time.GetUtcNow());
        var keyAccount = _keyAccounts.GetOrAdd(key.Id, id => new SpendAccount(KeyBudgetName(key.BudgetPeriod), key.BudgetPeriod, SpendAccount.NoLimit, 0m, 0m, month)
        {
            Owner = new BudgetOwner(BudgetOwner.KeyScope, key.CustomerId, id),
        });
        var customerAccount = _customerAccounts.GetOrAdd(customer.Id, id => new SpendAccount(CustomerBudgetName, BudgetPeriod.Monthly, SpendAccount.NoLimit, 0m, 0m, month)
        {
            Owner = new BudgetOwner(BudgetOwner.CustomerScope, id, null),
        });
        return Wallet(customer) is { } wallet ? [keyAccount, customerAccount, wallet] : [keyAccount, customerAccount];
    }

    private static string KeyBudgetName(BudgetPeriod period) => $"key budget ({(period == BudgetPeriod.Monthly ? "monthly" : "lifetime")})";
}

/// <summary>What the ledger and usage events say at start: balances, and spend this month and ever.</summary>
internal sealed record AccountTotals(
    IReadOnlyDictionary<string, decimal> Balances,
    IReadOnlyDictionary<string, decimal> CustomerMonthSpend,
    IReadOnlyDictionary<string, decimal> KeyMonthSpend,
    IReadOnlyDictionary<string, decimal> KeyLifetimeSpend)
{
    public static readonly AccountTotals Empty = new(
        new Dictionary<string, decimal>(), new Dictionary<string, decimal>(), new Dictionary<string, decimal>(), new Dictionary<string, decimal>());

    /// <summary>Per customer, the grants not yet written off with what is left of each (the wallet replay at start).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<(Grant Grant, decimal Remaining)>> Grants { get; init; } =
        new Dictionary<string, IReadOnlyList<(Grant Grant, decimal Remaining)>>();
}

/// <summary>
/// A reservation's answer: <see cref="Held"/>, or refused by an account (<see cref="RefusedBy"/>) or by a
/// rate limit taken in the same call (<see cref="Limits"/> with <c>Refused</c> ≥ 0); <see cref="Limits"/>
/// also carries the limits' readings when the cluster took them with the reservation.
/// </summary>
internal sealed record ReserveOutcome(Reservation? Held, AccountView? RefusedBy, Limits.LimitAdmission? Limits);

/// <summary>A customer's wallet (null when nothing caps spend), a key's account and the customer's own (budgets, tier cap, this month's spend).</summary>
internal sealed record AccountFigures(AccountView? Wallet, AccountView? Key, AccountView? Customer);
