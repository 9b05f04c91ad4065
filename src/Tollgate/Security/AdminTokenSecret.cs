namespace Tollgate.Security;

/// <summary>Admin tokens look like <c>tga_&lt;id&gt;_&lt;secret&gt;</c>; only their keyed hash is stored.</summary>
internal static class AdminTokenSecret
{
    public const string Prefix = "tga_";
    private const int IdLength = 10;
    private const int SecretLength = 40;

    public static (string Id, string Secret) Create()
    {
        var id = RandomText.Id("", IdLength);
        return (id, $"{Prefix}{id}_{RandomText.Secret(SecretLength)}");
    }

    public static bool TryGetId(ReadOnlySpan<char> secret, out string id)
    {
        id = "";
        if (secret.Length != Prefix.Length + IdLength + 1 + SecretLength || !secret.StartsWith(Prefix, StringComparison.Ordinal))
            return false;
        var rest = secret[Prefix.Length..];
        if (rest[IdLength] != '_') return false;
        id = rest[..IdLength].ToString();
        return true;
    }
}
