namespace Tollgate.Portal;

/// <summary>An invitation to the portal: <c>role</c> is <c>owner</c> or <c>developer</c>; it expires after <c>expires_in_hours</c> (default 72).</summary>
internal sealed record PortalInvitationRequest(string? Email, string? Role, int? ExpiresInHours);

/// <summary><c>status</c> is <c>pending</c>, <c>accepted</c> or <c>expired</c>.</summary>
internal sealed record PortalInvitationDto(
    string Id, string CustomerId, string Email, string Role, string Status, string CreatedBy, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt,
    DateTimeOffset? AcceptedAt, string? UserId);

/// <summary>The one-time link (a path on this server) carries the secret; it is shown this once and only its hash is kept.</summary>
internal sealed record CreatedPortalInvitationDto(string Token, string Path, PortalInvitationDto Invitation);

internal sealed record CustomerUserDto(string Id, string CustomerId, string Email, string Role, DateTimeOffset CreatedAt);
