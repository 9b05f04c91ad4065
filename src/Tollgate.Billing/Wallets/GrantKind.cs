namespace Tollgate.Billing.Wallets;

/// <summary>
/// Purchased credit is revenue and counts as paid spend; promotional credit is not. Promotional
/// credit is consumed first. Stored as text; names frozen by a test.
/// </summary>
public enum GrantKind
{
    Purchased,
    Promotional,
}
