namespace Tollgate.Billing.Contracts;

/// <summary>Where a contract stands at a moment. Derived from its term, never stored.</summary>
public enum ContractStatus
{
    Scheduled,
    Active,
    Ended,
    Cancelled,
}
