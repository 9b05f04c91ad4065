using System.Collections.Concurrent;
using Tollgate.Billing.Catalog;
using Tollgate.Catalog;

namespace Tollgate.Budgets;

/// <summary>
/// Every spend account of this node, in memory: customer wallets (funds plus credit limit), key
/// budgets and customer monthly budgets. Funds come from the durable ledger at start and move
/// with each settled request, grant and expiry; limits follow the catalog snapshot.
/// </summary>
internal sealed class Accounts(TimeProvider time, IBudgetObserver? observer = null)
{
    private readonly ConcurrentDictionary<string, SpendAccount> _wallets = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, SpendAccount> _keyBudgets = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, SpendAccount> _customerBudgets = new(StringComparer.Ordinal);
    private AccountTotals _totals = AccountTotals.Empty;
    private long _open;

    /// <summary>Told of each settlement that moved a budget, for threshold alerts.</summary>
    internal IBudgetObserver? Observer => observer;

    /// <summary>Reservations taken and not yet settled or released: zero whenever no request is in flight.</summary>
    public long OpenReservations => Interlocked.Read(ref _open);

    /// <summary>Starts from the ledger's balances and the spend of the current month (and lifetime, for key budgets).</summary>
    public void Load(AccountTotals totals, CatalogSnapshot snapshot)
    {
        _totals = totals;
        _wallets.Clear();
        _keyBudgets.Clear();
        _customerBudgets.Clear();
        Apply(snapshot);
    }

    /// <summary>Brings limits in line with the snapshot; creates accounts for new customers and keys. Spend and funds are kept.</summary>
    public void Apply(CatalogSnapshot snapshot)
    {
        var now = time.GetUtcNow();
        var month = BudgetPeriods.MonthStart(now);
        foreach (var customer in snapshot.Customers.Values)
        {
            var credit = customer.BillingMode == BillingMode.Prepaid ? 0m : customer.CreditLimit ?? 0m;
            _wallets.AddOrUpdate(customer.Id,
                id => new SpendAccount("wallet", BudgetPeriod.Wallet, credit, _totals.Balances.GetValueOrDefault(id), month),
                (_, wallet) => { wallet.SetLimit(credit); return wallet; });
            if (customer.MonthlyBudget is { } budget)
            {
                _customerBudgets.AddOrUpdate(customer.Id,
                    id => new SpendAccount("customer monthly budget", BudgetPeriod.Monthly, budget, _totals.CustomerMonthSpend.GetValueOrDefault(id), month)
                    {
                        Owner = new BudgetOwner(BudgetOwner.CustomerScope, id, null),
                    },
                    (_, account) => { account.SetLimit(budget); return account; });
            }
        }
        foreach (var key in snapshot.Keys.Values)
        {
            if (key.Budget is not { } budget) continue;
            var period = key.BudgetPeriod;
            _keyBudgets.AddOrUpdate(key.Id,
                _ => NewKeyBudget(key, budget, month),
                (_, account) => account.Period == period ? Limited(account, budget) : NewKeyBudget(key, budget, month));
        }
    }

    /// <summary>
    /// Holds <paramref name="amount"/> on every account that applies, or on none: the first that
    /// cannot cover it is returned as the refusal, with the others left untouched.
    /// </summary>
    public Reservation? TryReserve(CustomerEntry customer, KeyEntry key, decimal amount, out AccountView? refusedBy)
    {
        var now = time.GetUtcNow();
        var accounts = Applicable(customer, key);
        for (var i = 0; i < accounts.Length; i++)
        {
            if (accounts[i].TryReserve(amount, now)) continue;
            for (var j = 0; j < i; j++) accounts[j].Release(amount);
            refusedBy = accounts[i].View(now);
            return null;
        }
        refusedBy = null;
        Interlocked.Increment(ref _open);
        return new Reservation(this, accounts, amount);
    }

    /// <summary>The accounts a request of this key is limited by, tightest-known first.</summary>
    public SpendAccount[] Applicable(CustomerEntry customer, KeyEntry key)
    {
        var keyBudget = key.Budget is null ? null : _keyBudgets.GetValueOrDefault(key.Id);
        var customerBudget = customer.MonthlyBudget is null ? null : _customerBudgets.GetValueOrDefault(customer.Id);
        var wallet = Wallet(customer);
        var accounts = new SpendAccount[(keyBudget is null ? 0 : 1) + (customerBudget is null ? 0 : 1) + (wallet is null ? 0 : 1)];
        var i = 0;
        if (keyBudget is not null) accounts[i++] = keyBudget;
        if (customerBudget is not null) accounts[i++] = customerBudget;
        if (wallet is not null) accounts[i] = wallet;
        return accounts;
    }

    /// <summary>The customer's wallet; null for a postpaid customer without a credit limit, whose spend is not capped.</summary>
    public SpendAccount? Wallet(CustomerEntry customer) =>
        customer.BillingMode == BillingMode.Postpaid && customer.CreditLimit is null ? null : _wallets.GetValueOrDefault(customer.Id);

    /// <summary>Grants, payments and expiries move funds without a request.</summary>
    public void AdjustFunds(string customerId, decimal delta)
    {
        if (_wallets.TryGetValue(customerId, out var wallet)) wallet.AdjustFunds(delta);
    }

    public AccountView? WalletView(string customerId) => _wallets.GetValueOrDefault(customerId)?.View(time.GetUtcNow());

    /// <summary>The budgets that limit this key's requests, for <c>/v1/account</c>.</summary>
    public IEnumerable<(string Scope, AccountView View)> BudgetViews(CustomerEntry customer, KeyEntry key)
    {
        var now = time.GetUtcNow();
        if (key.Budget is not null && _keyBudgets.TryGetValue(key.Id, out var keyBudget)) yield return ("key", keyBudget.View(now));
        if (customer.MonthlyBudget is not null && _customerBudgets.TryGetValue(customer.Id, out var customerBudget)) yield return ("customer", customerBudget.View(now));
    }

    internal void Closed() => Interlocked.Decrement(ref _open);

    private static SpendAccount Limited(SpendAccount account, decimal limit)
    {
        account.SetLimit(limit);
        return account;
    }

    private SpendAccount NewKeyBudget(KeyEntry key, decimal budget, DateTimeOffset month) =>
        new($"key budget ({(key.BudgetPeriod == BudgetPeriod.Monthly ? "monthly" : "lifetime")})", key.BudgetPeriod, budget,
            (key.BudgetPeriod == BudgetPeriod.Monthly ? _totals.KeyMonthSpend : _totals.KeyLifetimeSpend).GetValueOrDefault(key.Id), month)
        {
            Owner = new BudgetOwner(BudgetOwner.KeyScope, key.CustomerId, key.Id),
        };
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
}
