using System.Security.Cryptography;

namespace Tollgate.Gateway;

/// <summary>
/// Every response carries <c>x-request-id</c>. The id is always Tollgate's own (never taken from the
/// client), because it is also the usage event's idempotency key.
/// </summary>
internal static class RequestIds
{
    public const string Header = "x-request-id";

    // Nine base-36 digits of Unix milliseconds (fixed width, so text order is time order until the
    // year 5138), then 16 random characters (about 82 bits) that keep ids unguessable and unique.
    private const string Prefix = "req_";
    private const int TimeDigits = 9;
    private const int RandomDigits = 16;
    private const string Digits = "0123456789abcdefghijklmnopqrstuvwxyz";

    public static string Current(HttpContext http) => http.Response.Headers[Header].ToString() is { Length: > 0 } id
        ? id
        : Assign(http, http.RequestServices.GetService<TimeProvider>() ?? TimeProvider.System);

    public static string Assign(HttpContext http, TimeProvider time)
    {
        var id = New(time.GetUtcNow());
        http.Response.Headers[Header] = id;
        return id;
    }

    /// <summary>
    /// A new id that sorts after those of earlier milliseconds: the usage table's key and the ledger's
    /// reference index then grow at their right edge, so each commit rewrites a few pages instead of
    /// one random page per event.
    /// </summary>
    public static string New(DateTimeOffset now)
    {
        var millis = Math.Max(now.ToUnixTimeMilliseconds(), 0);
        return string.Create(Prefix.Length + TimeDigits + RandomDigits, millis, static (span, value) =>
        {
            Prefix.CopyTo(span);
            var time = span.Slice(Prefix.Length, TimeDigits);
            for (var i = time.Length - 1; i >= 0; i--)
            {
                time[i] = Digits[(int)(value % 36)];
                value /= 36;
            }
            RandomNumberGenerator.GetItems(Digits, span[(Prefix.Length + TimeDigits)..]);
        });
    }
}
