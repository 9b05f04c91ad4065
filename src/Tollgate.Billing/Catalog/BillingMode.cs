namespace Tollgate.Billing.Catalog;

/// <summary>How a customer pays: from a wallet, or on a monthly invoice. Stored as text; frozen by a test.</summary>
public enum BillingMode
{
    Prepaid,
    Postpaid,
}
