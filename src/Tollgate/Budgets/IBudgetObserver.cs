namespace Tollgate.Budgets;

/// <summary>
/// Told when a settled request moved a budget's spend. Called on the request path after the
/// account's lock is released: it must only compare and hand off, never block or touch storage.
/// </summary>
internal interface IBudgetObserver
{
    void Spent(SpendAccount account, in BudgetSpend spend, DateTimeOffset at);
}

/// <summary>A budget's spend in its period just before and just after one settlement, read under the account's lock.</summary>
internal readonly record struct BudgetSpend(decimal Before, decimal After, decimal Limit, DateTimeOffset PeriodStart);

/// <summary>Whose budget an account is: a key's (<c>key</c>) or a customer's monthly budget (<c>customer</c>).</summary>
internal sealed record BudgetOwner(string Scope, string CustomerId, string? KeyId)
{
    public const string KeyScope = "key";
    public const string CustomerScope = "customer";

    /// <summary>The id the budget belongs to: the key's for a key budget, else the customer's.</summary>
    public string Id => KeyId ?? CustomerId;
}
