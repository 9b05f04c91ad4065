using BenchmarkDotNet.Attributes;
using Tollgate.Billing.Catalog;
using Tollgate.Budgets;
using Tollgate.Catalog;

namespace Tollgate.MicroBench;

/// <summary>
/// Issue 5's target: reserve + settle under 1 µs with no allocation. One prepaid customer with a
/// large balance; the key has no budget, so only the wallet applies (the common case), plus a
/// variant where key budget, customer budget and wallet all apply.
/// </summary>
public class ReserveSettleBenchmarks
{
    private const decimal Reserve = 0.0125m;
    private const decimal Charge = 0.0081m;

    private readonly TimeProvider _time = TimeProvider.System;
    private Accounts _accounts = null!;
    private CustomerEntry _customer = null!;
    private KeyEntry _key = null!;
    private CustomerEntry _budgetedCustomer = null!;
    private KeyEntry _budgetedKey = null!;
    private SpendAccount _wallet = null!;
    private Accounts _tiered = null!;

    [GlobalSetup]
    public void Setup()
    {
        var created = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        _customer = new CustomerEntry("cus_1", "Acme", BillingMode.Prepaid, created);
        _key = new KeyEntry("key_1", "cus_1", "default", new byte[32], null, null, null, created);
        _budgetedCustomer = new CustomerEntry("cus_2", "Budgeted", BillingMode.Prepaid, created) { MonthlyBudget = 1_000_000_000m };
        _budgetedKey = new KeyEntry("key_2", "cus_2", "budgeted", new byte[32], null, null, null, created) { Budget = 1_000_000_000m };
        var snapshot = new CatalogSnapshot([_customer, _budgetedCustomer], [_key, _budgetedKey], [], 1);
        var balances = new Dictionary<string, decimal> { ["cus_1"] = 1_000_000_000m, ["cus_2"] = 1_000_000_000m };
        _accounts = new Accounts(_time);
        _accounts.Load(AccountTotals.Empty with { Balances = balances }, snapshot);
        _wallet = new SpendAccount("wallet", BudgetPeriod.Wallet, 0m, 1_000_000_000m, created);
        // A cap no run of this benchmark can reach, so every reservation is taken and measured.
        var tiers = new Tiers([new TierLevel { Name = "free", RequestsPerMinute = 60, MonthlySpendCap = 1_000_000_000_000m }]);
        _tiered = new Accounts(_time, tiers: tiers);
        _tiered.Load(AccountTotals.Empty with { Balances = balances }, snapshot);
    }

    /// <summary>Accounts.TryReserve + Reservation.Settle, wallet only: what a request pays.</summary>
    [Benchmark(Baseline = true)]
    public bool AccountsReserveSettle()
    {
        var reservation = _accounts.TryReserve(_customer, _key, Reserve, out _);
        if (reservation is null) return false;
        reservation.Settle(Charge, _time.GetUtcNow());
        return true;
    }

    /// <summary>The same with key budget, customer monthly budget and wallet all applying.</summary>
    [Benchmark]
    public bool AccountsReserveSettleThreeAccounts()
    {
        var reservation = _accounts.TryReserve(_budgetedCustomer, _budgetedKey, Reserve, out _);
        if (reservation is null) return false;
        reservation.Settle(Charge, _time.GetUtcNow());
        return true;
    }

    /// <summary>Wallet only, with spend tiers on: the tier standing is read and its monthly spend cap checked too.</summary>
    [Benchmark]
    public bool AccountsReserveSettleWithTier()
    {
        var reservation = _tiered.TryReserve(_customer, _key, Reserve, out _);
        if (reservation is null) return false;
        reservation.Settle(Charge, _time.GetUtcNow());
        return true;
    }

    /// <summary>One SpendAccount alone: the lock and decimal arithmetic without the Reservation wrapper.</summary>
    [Benchmark]
    public decimal SpendAccountReserveSettle()
    {
        var now = _time.GetUtcNow();
        if (!_wallet.TryReserve(Reserve, now)) return 0m;
        return _wallet.Settle(Reserve, Charge, now).After;
    }
}
