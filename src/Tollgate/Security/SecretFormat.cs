namespace Tollgate.Security;

/// <summary>
/// Shape of the secrets Tollgate issues: <c>&lt;prefix&gt;&lt;id&gt;_&lt;secret&gt;</c>. The prefix lets secret
/// scanners find a leaked one; the id finds the stored hash without a scan; only the keyed hash
/// of the whole secret is stored.
/// </summary>
internal sealed class SecretFormat(string prefix, int idLength, int secretLength)
{
    /// <summary>API keys: <c>tg_&lt;12&gt;_&lt;40&gt;</c>.</summary>
    public static readonly SecretFormat ApiKey = new("tg_", 12, 40);

    /// <summary>Admin tokens: <c>tga_&lt;10&gt;_&lt;40&gt;</c>.</summary>
    public static readonly SecretFormat AdminToken = new("tga_", 10, 40);

    /// <summary>Portal invitation links: <c>tgi_&lt;12&gt;_&lt;40&gt;</c>, one use each.</summary>
    public static readonly SecretFormat PortalInvitation = new("tgi_", 12, 40);

    public string Prefix { get; } = prefix;

    public (string Id, string Secret) Create()
    {
        var id = RandomText.Id("", idLength);
        return (id, $"{Prefix}{id}_{RandomText.Secret(secretLength)}");
    }

    /// <summary>The short, visible part that identifies a secret in lists and logs.</summary>
    public string DisplayPrefix(string id) => Prefix + id;

    /// <summary>Reads the id out of a presented secret, rejecting anything not shaped like one of ours.</summary>
    public bool TryGetId(ReadOnlySpan<char> secret, out string id)
    {
        id = "";
        if (secret.Length != Prefix.Length + idLength + 1 + secretLength || !secret.StartsWith(Prefix, StringComparison.Ordinal)) return false;
        var rest = secret[Prefix.Length..];
        if (rest[idLength] != '_') return false;
        foreach (var c in rest[..idLength])
        {
            if (!char.IsAsciiLetterLower(c) && !char.IsAsciiDigit(c)) return false;
        }
        id = rest[..idLength].ToString();
        return true;
    }
}
