using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Tollgate.Admin;
using Tollgate.Admin.Services;
using Tollgate.Catalog;
using Tollgate.Hosting;
using Tollgate.Security;
using Tollgate.Storage;

namespace Tollgate.Portal;

/// <summary>
/// Portal users and their invitations, for the admin API, the CLI, the console and the portal's members page alike:
/// one validation and one audit (the actor is the admin token or the portal user). Passwords are hashed with
/// ASP.NET Core Identity's <see cref="PasswordHasher{TUser}"/>; invitation secrets with the key pepper.
/// </summary>
internal sealed class CustomerUserService(
    ICustomerUserStore store, CatalogState catalog, SecretHasher hasher, IOptions<PortalOptions> options, TimeProvider time)
{
    public const int MinPasswordLength = 12;
    public const int MaxPasswordLength = 128;
    public const string InvitePath = "/portal/invite/";

    private static readonly PasswordHasher<CustomerUserRecord> Passwords = new();

    /// <summary>Verified against when no account has the email, so a wrong email costs as long as a wrong password.</summary>
    private static readonly string DecoyHash = Passwords.HashPassword(null!, RandomText.Secret(32));

    public async Task<Outcome<CreatedPortalInvitationDto>> InviteAsync(string customerId, PortalInvitationRequest? body, ClaimsPrincipal user,
        CancellationToken cancellationToken)
    {
        if (!catalog.Current.Customers.ContainsKey(customerId)) return ApiErrorResult.NotFound("customer", customerId);
        if (NormalizeEmail(body?.Email) is not { } email) return ApiErrorResult.Invalid("'email' must be an email address (at most 254 characters).", "email");
        if (!StoredNames.TryParse<CustomerUserRole>(body?.Role, out var role))
            return ApiErrorResult.Invalid("'role' must be 'owner' or 'developer'.", "role");
        var limits = options.Value;
        var hours = body?.ExpiresInHours ?? limits.InvitationHours;
        if (hours < 1 || hours > limits.MaxInvitationHours)
            return ApiErrorResult.Invalid($"'expires_in_hours' must be from 1 to {limits.MaxInvitationHours}.", "expires_in_hours");
        if (await store.FindUserByEmailAsync(email, cancellationToken) is not null)
            return ApiErrorResult.Conflict($"Someone already signs in to the portal as {email}.", "email_taken");
        var now = time.UtcNowStored();
        var (id, secret) = SecretFormat.PortalInvitation.Create();
        var invitation = new PortalInvitationRecord(id, customerId, email, role, hasher.Hash(secret), user.Actor(), now, now.AddHours(hours), null, null);
        var dto = ToDto(invitation, now);
        await store.CreateInvitationAsync(invitation, user.Audit("portal_invitation.create", "portal_invitation", id, null, dto, PortalJson.Default.PortalInvitationDto, now),
            cancellationToken);
        return new CreatedPortalInvitationDto(secret, InvitePath + secret, dto);
    }

    public async Task<IReadOnlyList<PortalInvitationDto>> InvitationsAsync(string customerId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        return [.. (await store.ListInvitationsAsync(customerId, cancellationToken)).Select(i => ToDto(i, now))];
    }

    public async Task<IReadOnlyList<CustomerUserDto>> UsersAsync(string customerId, CancellationToken cancellationToken) =>
        [.. (await store.ListUsersAsync(customerId, cancellationToken)).Select(ToDto)];

    /// <summary>The pending invitation a link's secret opens, or null (malformed, unknown, used or expired).</summary>
    public async Task<PortalInvitationRecord?> OpenInvitationAsync(string? secret, CancellationToken cancellationToken)
    {
        if (secret is null || !SecretFormat.PortalInvitation.TryGetId(secret, out var id)) return null;
        var invitation = await store.FindInvitationAsync(id, cancellationToken);
        return invitation is { AcceptedAt: null } && hasher.Matches(secret, invitation.SecretHash) && time.GetUtcNow() < invitation.ExpiresAt
            ? invitation
            : null;
    }

    /// <summary>Sets the invited person's password and creates their user; the link works once.</summary>
    public async Task<Outcome<CustomerUserDto>> AcceptAsync(string? secret, string? password, CancellationToken cancellationToken)
    {
        if (await OpenInvitationAsync(secret, cancellationToken) is not { } invitation)
            return ApiErrorResult.Invalid("This invitation link is not valid any more: it was used, it expired, or it was never issued.", "token");
        if (password is null || password.Length < MinPasswordLength || password.Length > MaxPasswordLength || string.IsNullOrWhiteSpace(password))
            return ApiErrorResult.Invalid($"The password must be {MinPasswordLength} to {MaxPasswordLength} characters.", "password");
        if (!catalog.Current.Customers.ContainsKey(invitation.CustomerId)) return ApiErrorResult.NotFound("customer", invitation.CustomerId);
        var now = time.UtcNowStored();
        var draft = new CustomerUserRecord(RandomText.Id("usr_"), invitation.CustomerId, invitation.Email, invitation.Role, "", now, null);
        var user = draft with { PasswordHash = Passwords.HashPassword(draft, password) };
        var dto = ToDto(user);
        var audit = new AuditEntry(user.Id, "customer_user.create", "customer_user", user.Id, null,
            System.Text.Json.JsonSerializer.Serialize(dto, PortalJson.Default.CustomerUserDto), now);
        return await store.AcceptInvitationAsync(invitation.Id, user, now, audit, cancellationToken) switch
        {
            InvitationAcceptance.Accepted => dto,
            InvitationAcceptance.EmailTaken => ApiErrorResult.Conflict($"Someone already signs in to the portal as {invitation.Email}.", "email_taken"),
            _ => ApiErrorResult.Invalid("This invitation link is not valid any more: it was used, it expired, or it was never issued.", "token"),
        };
    }

    /// <summary>The active user with this email and password, or null; costs the same whether or not the email exists.</summary>
    public async Task<CustomerUserRecord?> VerifyPasswordAsync(string? email, string? password, CancellationToken cancellationToken)
    {
        if (NormalizeEmail(email) is not { } normalized || password is null || password.Length > MaxPasswordLength)
        {
            Passwords.VerifyHashedPassword(null!, DecoyHash, password ?? "");
            return null;
        }
        var user = await store.FindUserByEmailAsync(normalized, cancellationToken);
        var verdict = Passwords.VerifyHashedPassword(user!, user?.PasswordHash ?? DecoyHash, password);
        return user is not null && verdict != PasswordVerificationResult.Failed && catalog.Current.Customers.ContainsKey(user.CustomerId) ? user : null;
    }

    /// <summary>Removes a user of <paramref name="customerId"/>: their sessions end on their next request. Nobody removes themselves.</summary>
    public async Task<Outcome<CustomerUserDto>> RemoveAsync(string customerId, string userId, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        if (await store.FindUserAsync(userId, cancellationToken) is not { RemovedAt: null } member || member.CustomerId != customerId)
            return ApiErrorResult.NotFound("customer user", userId);
        if (user.Actor() == userId) return ApiErrorResult.Invalid("You cannot remove yourself; ask another owner.", "user_id");
        var now = time.UtcNowStored();
        var dto = ToDto(member);
        await store.RemoveUserAsync(userId, now, user.Audit("customer_user.remove", "customer_user", userId, dto, null, PortalJson.Default.CustomerUserDto, now),
            cancellationToken);
        return dto;
    }

    /// <summary>Trimmed and lower-cased; null unless it looks like one address (one @, no spaces, a dotted domain).</summary>
    public static string? NormalizeEmail(string? email)
    {
        var text = email?.Trim().ToLowerInvariant();
        if (text is null || text.Length is < 3 or > 254) return null;
        var at = text.IndexOf('@');
        if (at < 1 || at != text.LastIndexOf('@') || at == text.Length - 1) return null;
        if (text.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c is '<' or '>' or '"' or ',' or ';')) return null;
        var domain = text[(at + 1)..];
        return domain.Contains('.') && !domain.StartsWith('.') && !domain.EndsWith('.') ? text : null;
    }

    public static CustomerUserDto ToDto(CustomerUserRecord u) => new(u.Id, u.CustomerId, u.Email, StoredNames.Of(u.Role), u.CreatedAt);

    public static PortalInvitationDto ToDto(PortalInvitationRecord i, DateTimeOffset now) => new(
        i.Id, i.CustomerId, i.Email, StoredNames.Of(i.Role), i.AcceptedAt is not null ? "accepted" : now >= i.ExpiresAt ? "expired" : "pending",
        i.CreatedBy, i.CreatedAt, i.ExpiresAt, i.AcceptedAt, i.UserId);
}
