namespace Tollgate.Storage;

/// <summary>
/// The people who sign in to the portal for a customer, the one-time invitations that create them,
/// and which portal user made which API key (a developer sees only their own).
/// </summary>
internal interface ICustomerUserStore
{
    Task CreateInvitationAsync(PortalInvitationRecord invitation, AuditEntry audit, CancellationToken cancellationToken = default);

    Task<PortalInvitationRecord?> FindInvitationAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>Newest first; used and expired ones included, so the operator sees what became of each.</summary>
    Task<IReadOnlyList<PortalInvitationRecord>> ListInvitationsAsync(string customerId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Marks the invitation used and creates its user in one transaction, only if it is still unused and
    /// unexpired at <paramref name="at"/> and no active user has its email: an invitation works once, however many race for it.
    /// </summary>
    Task<InvitationAcceptance> AcceptInvitationAsync(string invitationId, CustomerUserRecord user, DateTimeOffset at, AuditEntry audit,
        CancellationToken cancellationToken = default);

    Task<CustomerUserRecord?> FindUserAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>The active (not removed) user with this normalized email.</summary>
    Task<CustomerUserRecord?> FindUserByEmailAsync(string email, CancellationToken cancellationToken = default);

    /// <summary>Active users of a customer, oldest first.</summary>
    Task<IReadOnlyList<CustomerUserRecord>> ListUsersAsync(string customerId, CancellationToken cancellationToken = default);

    Task RemoveUserAsync(string id, DateTimeOffset at, AuditEntry audit, CancellationToken cancellationToken = default);

    Task SetKeyOwnerAsync(string keyId, string userId, CancellationToken cancellationToken = default);

    /// <summary>Key id → the portal user who created it, for one customer's keys made in the portal.</summary>
    Task<IReadOnlyDictionary<string, string>> KeyOwnersAsync(string customerId, CancellationToken cancellationToken = default);
}

internal enum InvitationAcceptance
{
    Accepted,

    /// <summary>Already used, expired, or never issued: the link is spent.</summary>
    Spent,

    /// <summary>Someone already signs in with that email.</summary>
    EmailTaken,
}

/// <summary>A portal user; the password hash is Identity's versioned PBKDF2 format.</summary>
internal sealed record CustomerUserRecord(
    string Id, string CustomerId, string Email, CustomerUserRole Role, string PasswordHash, DateTimeOffset CreatedAt, DateTimeOffset? RemovedAt);

/// <summary>An invitation: only the keyed hash of its one-time secret is stored.</summary>
internal sealed record PortalInvitationRecord(
    string Id, string CustomerId, string Email, CustomerUserRole Role, byte[] SecretHash, string CreatedBy, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt,
    DateTimeOffset? AcceptedAt, string? UserId);

/// <summary><c>owner</c>: billing, every key, members. <c>developer</c>: their own keys and usage.</summary>
internal enum CustomerUserRole
{
    Owner,
    Developer,
}
