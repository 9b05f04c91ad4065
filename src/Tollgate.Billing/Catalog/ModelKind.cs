namespace Tollgate.Billing.Catalog;

/// <summary>Which data-plane operation a model serves. Stored as text; names frozen by a test.</summary>
public enum ModelKind
{
    Chat,
    Embeddings,
}
