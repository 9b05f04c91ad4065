namespace Tollgate.Security;

/// <summary>
/// API keys look like <c>tg_&lt;id&gt;_&lt;secret&gt;</c>. The <c>tg_</c> prefix lets secret scanners
/// find a leaked key; the id finds the stored hash without a scan; only the hash is stored.
/// </summary>
internal static class ApiKeySecret
{
    public const string Prefix = "tg_";
    private const int IdLength = 12;
    private const int SecretLength = 40;

    public static (string Id, string Secret) Create()
    {
        var id = RandomText.Id("", IdLength);
        return (id, $"{Prefix}{id}_{RandomText.Secret(SecretLength)}");
    }

    /// <summary>The short, visible part that identifies a key in lists and logs.</summary>
    public static string DisplayPrefix(string id) => $"{Prefix}{id}";

    /// <summary>Reads the key id out of a presented secret, rejecting anything not shaped like one of ours.</summary>
    public static bool TryGetId(ReadOnlySpan<char> secret, out string id)
    {
        id = "";
        if (secret.Length != Prefix.Length + IdLength + 1 + SecretLength || !secret.StartsWith(Prefix, StringComparison.Ordinal))
            return false;
        var rest = secret[Prefix.Length..];
        if (rest[IdLength] != '_') return false;
        foreach (var c in rest[..IdLength])
        {
            if (!char.IsAsciiLetterLower(c) && !char.IsAsciiDigit(c)) return false;
        }
        id = rest[..IdLength].ToString();
        return true;
    }
}
