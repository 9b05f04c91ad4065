using System.Security.Cryptography;
using System.Text;
using Tollgate.Security;

namespace Tollgate.Webhooks;

/// <summary>
/// Endpoint signing secrets: generated here, shown once, and stored encrypted (AES-256-GCM under
/// a key derived from the key pepper), since signing needs the secret itself, not a hash. A copy
/// of the database alone does not reveal them; every node with the same pepper can read them.
/// </summary>
internal sealed class SigningSecrets(SecretHasher hasher)
{
    public const string Prefix = "whsec_";
    private const string KeyLabel = "tollgate-webhook-signing-secrets-v1";
    private const int NonceBytes = 12;
    private const int TagBytes = 16;

    // HMAC-SHA256 of a fixed label under the pepper: 32 bytes that only a holder of the pepper can compute.
    private readonly byte[] _key = hasher.Hash(KeyLabel);

    public static string Generate() => Prefix + RandomText.Secret(40);

    public byte[] Seal(string secret)
    {
        var plain = Encoding.UTF8.GetBytes(secret);
        var sealedBytes = new byte[NonceBytes + plain.Length + TagBytes];
        var nonce = sealedBytes.AsSpan(0, NonceBytes);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_key, TagBytes);
        aes.Encrypt(nonce, plain, sealedBytes.AsSpan(NonceBytes, plain.Length), sealedBytes.AsSpan(NonceBytes + plain.Length));
        return sealedBytes;
    }

    public string Open(byte[] sealedBytes)
    {
        var length = sealedBytes.Length - NonceBytes - TagBytes;
        var plain = new byte[length];
        using var aes = new AesGcm(_key, TagBytes);
        aes.Decrypt(sealedBytes.AsSpan(0, NonceBytes), sealedBytes.AsSpan(NonceBytes, length), sealedBytes.AsSpan(NonceBytes + length), plain);
        return Encoding.UTF8.GetString(plain);
    }
}
