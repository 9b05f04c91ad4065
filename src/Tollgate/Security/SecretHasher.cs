using System.Security.Cryptography;
using System.Text;

namespace Tollgate.Security;

/// <summary>
/// Keyed hash (HMAC-SHA256 with the pepper) of API keys and admin tokens: a stolen database
/// alone does not let anyone test guesses offline.
/// </summary>
internal sealed class SecretHasher(byte[] pepper)
{
    private const string FingerprintInput = "tollgate-pepper-fingerprint";

    public byte[] Hash(string secret)
    {
        Span<byte> utf8 = stackalloc byte[Encoding.UTF8.GetMaxByteCount(Math.Min(secret.Length, 256))];
        if (secret.Length > 256) return HMACSHA256.HashData(pepper, Encoding.UTF8.GetBytes(secret));
        var written = Encoding.UTF8.GetBytes(secret, utf8);
        return HMACSHA256.HashData(pepper, utf8[..written]);
    }

    /// <summary>Constant-time comparison of a presented secret with a stored hash.</summary>
    public bool Matches(string secret, byte[] storedHash) => CryptographicOperations.FixedTimeEquals(Hash(secret), storedHash);

    /// <summary>Identifies the pepper without revealing it, so a node started with the wrong one can refuse to run.</summary>
    public string Fingerprint() => Convert.ToHexStringLower(Hash(FingerprintInput))[..16];
}
