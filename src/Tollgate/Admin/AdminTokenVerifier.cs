using System.Security.Cryptography;
using System.Text;
using Tollgate.Hosting;
using Tollgate.Security;
using Tollgate.Storage;

namespace Tollgate.Admin;

/// <summary>
/// The token id and scopes an admin token stands for, and its binding: a digest of the token's keyed
/// hash that changes when the secret behind the id changes (a new <c>TOLLGATE_ADMIN_TOKEN</c>).
/// </summary>
internal sealed record AdminIdentity(string TokenId, IReadOnlyList<string> Scopes)
{
    public string Binding { get; init; } = "";
}

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
            return new AdminIdentity(OperatorTokenId, [AdminScopes.Full]) { Binding = BindingOf(hasher.Hash(configured)) };
        var token = SecretFormat.AdminToken.TryGetId(secret, out var id) ? await tokens.FindAsync(id, cancellationToken) : null;
        return token is null || token.RevokedAt is not null || !hasher.Matches(secret, token.SecretHash) ? null : new AdminIdentity(token.Id, token.Scopes) { Binding = BindingOf(token.SecretHash) };
    }

    /// <summary>
    /// Whether the token a session was started with still is valid and still the same secret: a revoked
    /// token, or an operator token replaced by another <c>TOLLGATE_ADMIN_TOKEN</c>, ends the sessions it started.
    /// </summary>
    public async Task<bool> StillValidAsync(string tokenId, string binding, CancellationToken cancellationToken)
    {
        var current = tokenId == OperatorTokenId
            ? settings.AdminToken is { Length: > 0 } configured ? BindingOf(hasher.Hash(configured)) : null
            : await tokens.FindAsync(tokenId, cancellationToken) is { RevokedAt: null } token ? BindingOf(token.SecretHash) : null;
        return current is not null && binding.Length == current.Length
            && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(binding), Encoding.ASCII.GetBytes(current));
    }

    /// <summary>A digest of the keyed hash, so not even the hash travels in a cookie.</summary>
    private static string BindingOf(byte[] keyedHash) => Convert.ToHexStringLower(SHA256.HashData(keyedHash));
}
