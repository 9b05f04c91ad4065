namespace Tollgate.Storage;

/// <summary>Admin tokens, stored as keyed hashes with their scopes.</summary>
internal interface IAdminTokenStore
{
    Task<bool> AnyAsync(CancellationToken cancellationToken = default);

    Task CreateAsync(AdminTokenRecord token, CancellationToken cancellationToken = default);

    Task<AdminTokenRecord?> FindAsync(string id, CancellationToken cancellationToken = default);
}

internal sealed record AdminTokenRecord(string Id, string Name, byte[] SecretHash, IReadOnlyList<string> Scopes, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt);
