using Tollgate.Billing.Pricing;

namespace Tollgate.Storage;

/// <summary>The model catalog: definitions, backends, and effective-dated price and cost cards. Every write carries its audit entry.</summary>
internal interface IModelStore
{
    /// <summary>Creates or replaces a model's definition and its backends; price and cost history is kept.</summary>
    Task SaveAsync(ModelDefinition model, AuditEntry audit, CancellationToken cancellationToken = default);

    /// <summary>Takes a model off the catalog from now on; its usage history keeps naming it.</summary>
    Task RetireAsync(string modelId, DateTimeOffset at, AuditEntry audit, CancellationToken cancellationToken = default);

    /// <summary>Adds a price version; history is never rewritten. Returns the new version.</summary>
    Task<long> AddPriceCardAsync(string modelId, DateTimeOffset effectiveFrom, TokenRates rates, AuditEntry audit, CancellationToken cancellationToken = default);

    Task<long> AddCostCardAsync(string backendId, DateTimeOffset effectiveFrom, TokenRates rates, AuditEntry audit, CancellationToken cancellationToken = default);

    /// <summary>Adds an own-hardware cost version; its per-token rates are derived from it. Returns the new version.</summary>
    Task<long> AddHardwareCostCardAsync(string backendId, DateTimeOffset effectiveFrom, HardwareCost hardware, AuditEntry audit,
        CancellationToken cancellationToken = default);

    Task<bool> IsRetiredAsync(string modelId, CancellationToken cancellationToken = default);
}
