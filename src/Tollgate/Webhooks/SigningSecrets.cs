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

    // HMAC-SHA256 of a fixed label under the pepper: 32 bytes that only a holder of the pepper can compute.
    private readonly SealedBox _box = new(hasher.Hash(KeyLabel));

    public static string Generate() => Prefix + RandomText.Secret(40);

    public byte[] Seal(string secret) => _box.Seal(Encoding.UTF8.GetBytes(secret));

    public string Open(byte[] sealedBytes) =>
        Encoding.UTF8.GetString(_box.TryOpen(sealedBytes) ?? throw new InvalidDataException("A stored signing secret does not open under this key pepper."));
}
