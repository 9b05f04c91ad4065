using System.Security.Cryptography;

namespace Tollgate.Security;

/// <summary>Cryptographically random identifiers and secrets.</summary>
internal static class RandomText
{
    private const string Alphanumeric = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    private const string LowerAlphanumeric = "0123456789abcdefghijklmnopqrstuvwxyz";

    /// <summary>Mixed-case letters and digits: about 5.95 bits each.</summary>
    public static string Secret(int length) => RandomNumberGenerator.GetString(Alphanumeric, length);

    /// <summary>Lower-case letters and digits, safe in URLs and easy to read aloud.</summary>
    public static string Id(string prefix, int length = 16) => prefix + RandomNumberGenerator.GetString(LowerAlphanumeric, length);
}
