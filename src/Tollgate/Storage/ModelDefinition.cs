using Tollgate.Billing.Catalog;
using Tollgate.Catalog;

namespace Tollgate.Storage;

/// <summary>A model as an operator defines it: everything but its price and cost history.</summary>
internal sealed record ModelDefinition(
    string Id,
    ModelKind Kind,
    ModelTier Tier,
    string Tokenizer,
    int MaxOutputTokens,
    string OwnedBy,
    IReadOnlyList<BackendDefinition> Backends)
{
    /// <summary>How a request picks among the backends.</summary>
    public RoutingPolicy Routing { get; init; } = RoutingPolicy.Priority;
}

/// <summary>One backend of a model definition, in priority order within the list.</summary>
internal sealed record BackendDefinition(string Id, BackendKind Kind, BackendSettings Settings);
