namespace Tollgate.Billing.Catalog;

/// <summary>Stored as text; the names are frozen by a test.</summary>
public enum ModelTier
{
    Standard,
    Premium,
    Gated,
}
