namespace Tollgate.Storage;

/// <summary>Admin tokens, stored as keyed hashes with their scopes.</summary>
internal interface IAdminTokenStore
{
    Task<bool> AnyAsync(CancellationToken cancellationToken = default);

    Task CreateAsync(AdminTokenRecord token, AuditEntry audit, CancellationToken cancellationToken = default);

    Task RevokeAsync(string id, DateTimeOffset at, AuditEntry audit, CancellationToken cancellationToken = default);

    Task<AdminTokenRecord?> FindAsync(string id, CancellationToken cancellationToken = default);

    Task<PageOf<AdminTokenRecord>> ListAsync(Page page, CancellationToken cancellationToken = default);
}

internal sealed record AdminTokenRecord(string Id, string Name, byte[] SecretHash, IReadOnlyList<string> Scopes, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt);
