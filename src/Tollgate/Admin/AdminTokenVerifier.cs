using Tollgate.Hosting;
using Tollgate.Security;
using Tollgate.Storage;

namespace Tollgate.Admin;

/// <summary>The token id and scopes an admin token stands for.</summary>
internal sealed record AdminIdentity(string TokenId, IReadOnlyList<string> Scopes);

/// <summary>
/// Checks an admin token: the operator's <c>TOLLGATE_ADMIN_TOKEN</c> (never stored) or a stored
/// token's keyed hash. Shared by the admin API's bearer scheme and the console's sign-in, so both
/// accept exactly the same tokens with the same scopes.
/// </summary>
internal sealed class AdminTokenVerifier(IAdminTokenStore tokens, SecretHasher hasher, ServeSettings settings)
{
    public const string OperatorTokenId = "env";

    /// <summary>Null when the secret is no valid, unrevoked admin token.</summary>
    public async Task<AdminIdentity?> VerifyAsync(string secret, CancellationToken cancellationToken)
    {
        if (settings.AdminToken is { Length: > 0 } configured && hasher.Matches(secret, hasher.Hash(configured)))
            return new AdminIdentity(OperatorTokenId, [AdminScopes.Full]);
        var token = SecretFormat.AdminToken.TryGetId(secret, out var id) ? await tokens.FindAsync(id, cancellationToken) : null;
        return token is null || token.RevokedAt is not null || !hasher.Matches(secret, token.SecretHash) ? null : new AdminIdentity(token.Id, token.Scopes);
    }

    /// <summary>Whether a token that was valid at sign-in still is: a revoked token ends the sessions it started.</summary>
    public async Task<bool> StillValidAsync(string tokenId, CancellationToken cancellationToken) =>
        tokenId == OperatorTokenId
            ? settings.AdminToken is { Length: > 0 }
            : await tokens.FindAsync(tokenId, cancellationToken) is { RevokedAt: null };
}
