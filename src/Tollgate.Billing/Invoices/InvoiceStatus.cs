namespace Tollgate.Billing.Invoices;

/// <summary>draft → finalized → paid, or finalized → void. Stored by name (frozen by a test).</summary>
public enum InvoiceStatus
{
    Draft,
    Finalized,
    Paid,
    Void,
}
