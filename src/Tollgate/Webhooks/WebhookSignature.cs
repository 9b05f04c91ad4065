using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Tollgate.Webhooks;

/// <summary>
/// The <c>Tollgate-Signature</c> header, as Stripe signs: <c>t=&lt;unix seconds&gt;,v1=&lt;hex&gt;</c>,
/// where v1 is HMAC-SHA256 under the signing secret (its UTF-8 bytes) of <c>"&lt;t&gt;.&lt;body&gt;"</c>.
/// While a rotated-out secret is in its grace period there is one v1 per secret; a receiver
/// accepts the request if any of them matches its secret.
/// </summary>
internal static class WebhookSignature
{
    public const string Header = "Tollgate-Signature";

    /// <summary>How old a signature a receiver should accept: replays older than this are refused.</summary>
    public static readonly TimeSpan DefaultTolerance = TimeSpan.FromMinutes(5);

    public static string Create(string body, DateTimeOffset at, IEnumerable<string> secrets)
    {
        var timestamp = at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var header = new StringBuilder("t=").Append(timestamp);
        foreach (var secret in secrets) header.Append(",v1=").Append(Compute(secret, timestamp, body));
        return header.ToString();
    }

    /// <summary>What a receiver does: the timestamp is recent and one v1 is the HMAC under <paramref name="secret"/>.</summary>
    public static bool Verify(string? header, string body, string secret, DateTimeOffset now, TimeSpan? tolerance = null)
    {
        if (string.IsNullOrEmpty(header)) return false;
        string? timestamp = null;
        List<string> signatures = [];
        foreach (var part in header.Split(','))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0) continue;
            var (name, value) = (part[..equals].Trim(), part[(equals + 1)..].Trim());
            if (name == "t") timestamp = value;
            else if (name == "v1") signatures.Add(value);
        }
        if (timestamp is null || !long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)) return false;
        if ((now - DateTimeOffset.FromUnixTimeSeconds(seconds)).Duration() > (tolerance ?? DefaultTolerance)) return false;
        var expected = Encoding.ASCII.GetBytes(Compute(secret, timestamp, body));
        return signatures.Any(s => CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(s)));
    }

    private static string Compute(string secret, string timestamp, string body) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{timestamp}.{body}")));
}
