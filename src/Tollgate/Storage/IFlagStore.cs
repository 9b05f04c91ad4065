using Tollgate.Distillation;

namespace Tollgate.Storage;

/// <summary>Distillation flags (the review queue) and the gate restrictions decided on them.</summary>
internal interface IFlagStore
{
    /// <summary>Stores the flag unless its customer, model and day are flagged already; true when stored.</summary>
    Task<bool> RaiseAsync(DistillationFlag flag, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<DistillationFlag>> ListAsync(FlagStatus? status, string? customerId, int limit, CancellationToken cancellationToken = default);

    Task<DistillationFlag?> GetAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>Writes the flag's new status, and puts (or, with null, keeps) a restriction, audited, bumping the catalog version.</summary>
    Task ReviewAsync(DistillationFlag flag, GateRestriction? restriction, AuditEntry audit, CancellationToken cancellationToken = default);

    /// <summary>Lifts a customer's restriction on a gated model, with its audit entry; false (and nothing audited) when there was none.</summary>
    Task<bool> LiftAsync(string customerId, string modelId, AuditEntry audit, CancellationToken cancellationToken = default);
}
