using Tollgate.Security;

namespace Tollgate.Gateway;

/// <summary>
/// Every response carries <c>x-request-id</c>. The id is always Tollgate's own (never taken from the
/// client), because it is also the usage event's idempotency key.
/// </summary>
internal static class RequestIds
{
    public const string Header = "x-request-id";

    public static string Current(HttpContext http) => http.Response.Headers[Header].ToString() is { Length: > 0 } id ? id : Assign(http);

    public static string Assign(HttpContext http)
    {
        var id = RandomText.Id("req_", 24);
        http.Response.Headers[Header] = id;
        return id;
    }
}
