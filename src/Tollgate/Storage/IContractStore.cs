using Tollgate.Billing.Contracts;

namespace Tollgate.Storage;

/// <summary>Contracts, gate rules and invitations; every change is audited and bumps the catalog version.</summary>
internal interface IContractStore
{
    /// <summary>Writes the contract as it now is (insert or update).</summary>
    Task SaveContractAsync(Contract contract, AuditEntry audit, CancellationToken cancellationToken = default);

    Task PutGateRuleAsync(GateRule rule, AuditEntry audit, CancellationToken cancellationToken = default);

    Task DeleteGateRuleAsync(string modelId, AuditEntry audit, CancellationToken cancellationToken = default);

    /// <summary>Writes the invitation as it now is (insert, or its revocation).</summary>
    Task SaveInvitationAsync(GateInvitation invitation, AuditEntry audit, CancellationToken cancellationToken = default);

    /// <summary>Every invitation of a customer (or all), newest first, including expired and revoked ones.</summary>
    Task<IReadOnlyList<GateInvitation>> InvitationsAsync(string? customerId, CancellationToken cancellationToken = default);

    /// <summary>Charged usage per customer and UTC day on models other than <paramref name="excludedModels"/> since <paramref name="sinceDay"/>.</summary>
    Task<IReadOnlyList<(string CustomerId, DateOnly Day, decimal Charged)>> DailySpendAsync(DateOnly sinceDay, IReadOnlyCollection<string> excludedModels,
        CancellationToken cancellationToken = default);
}
