namespace Tollgate.Billing.Pricing;

/// <summary>How a backend's cost is known. Stored by name (frozen by a test).</summary>
public enum CostCardKind
{
    /// <summary>A per-million-token price paid to an upstream provider.</summary>
    Tokens,

    /// <summary>Own GPUs: an hourly cost spread over the tokens they are rated to serve.</summary>
    Hardware,
}
