using Tollgate.Catalog;

namespace Tollgate.Storage;

/// <summary>Customers and their API keys. Every write carries its audit entry.</summary>
internal interface ICustomerStore
{
    Task CreateAsync(CustomerEntry customer, AuditEntry audit, CancellationToken cancellationToken = default);

    Task UpdateAsync(CustomerEntry customer, AuditEntry audit, CancellationToken cancellationToken = default);

    Task<PageOf<CustomerEntry>> ListAsync(Page page, CancellationToken cancellationToken = default);

    Task CreateKeyAsync(KeyEntry key, AuditEntry audit, CancellationToken cancellationToken = default);

    /// <summary>Creates many keys, each with its audit entry, in one transaction: all of them or none.</summary>
    Task CreateKeysAsync(IReadOnlyList<(KeyEntry Key, AuditEntry Audit)> keys, CancellationToken cancellationToken = default);

    Task UpdateKeyAsync(KeyEntry key, AuditEntry audit, CancellationToken cancellationToken = default);

    /// <summary>Creates the replacement and updates the old key (its revocation time) in one transaction.</summary>
    Task RotateKeyAsync(KeyEntry replaced, KeyEntry replacement, AuditEntry audit, CancellationToken cancellationToken = default);

    Task<KeyEntry?> GetKeyAsync(string id, CancellationToken cancellationToken = default);

    Task<PageOf<KeyEntry>> ListKeysAsync(string? customerId, Page page, CancellationToken cancellationToken = default);
}
