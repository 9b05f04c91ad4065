using System.Net;
using System.Net.Sockets;

namespace Tollgate.Webhooks;

/// <summary>
/// Where webhooks may go. Deliveries record status codes, so a receiver on an internal address would
/// let whoever registers endpoints scan the operator's network: loopback, private, link-local,
/// unique-local, shared (carrier-grade NAT), unspecified and cloud metadata addresses are refused
/// unless the operator allowlists the host (<c>Webhooks:AllowedInternalHosts</c>). Checked on the
/// URL at registration and on every resolved address at send time, so a name that later resolves
/// inward (DNS rebinding) is still refused.
/// </summary>
internal sealed class WebhookTargets(IEnumerable<string>? allowedInternalHosts)
{
    private static readonly string[] InternalNames = ["localhost", "metadata", "metadata.google.internal", "instance-data"];

    private readonly HashSet<string> _allowed = new((allowedInternalHosts ?? []).Select(Normalize), StringComparer.OrdinalIgnoreCase);

    /// <summary>True when the URL's host may receive webhooks as far as its text tells (literal addresses and known internal names).</summary>
    public bool MayRegister(Uri url) => IsAllowlisted(url.IdnHost) || !IsInternalName(url.IdnHost) &&
        (!IPAddress.TryParse(Normalize(url.IdnHost), out var address) || !IsInternal(address));

    public bool IsAllowlisted(string host) => _allowed.Contains(Normalize(host));

    /// <summary>
    /// Resolves the host and connects to its first address that is not internal (any address, when the host is
    /// allowlisted); refuses when every address is internal.
    /// </summary>
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var host = context.DnsEndPoint.Host;
        var allowlisted = IsAllowlisted(host);
        if (!allowlisted && IsInternalName(host)) throw Refused();
        var addresses = IPAddress.TryParse(Normalize(host), out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, cancellationToken);
        var target = addresses.FirstOrDefault(a => allowlisted || !IsInternal(a)) ?? throw Refused();
        var socket = new Socket(target.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(new IPEndPoint(target, context.DnsEndPoint.Port), cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public static bool IsInternalName(string host)
    {
        var name = Normalize(host).TrimEnd('.');
        return InternalNames.Contains(name, StringComparer.OrdinalIgnoreCase) || name.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase)
            || name.EndsWith(".internal", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Loopback, private, link-local, unique-local, shared, unspecified, multicast or this-network: not a place for customer data.</summary>
    public static bool IsInternal(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (IPAddress.IsLoopback(address)) return true;
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = address.GetAddressBytes();
            return b[0] is 0 or 10 or 127 || b[0] >= 224
                || b[0] == 169 && b[1] == 254
                || b[0] == 172 && b[1] is >= 16 and <= 31
                || b[0] == 192 && b[1] == 168
                || b[0] == 100 && b[1] is >= 64 and <= 127
                || b[0] == 192 && b[1] == 0 && b[2] == 0;
        }
        if (address.Equals(IPAddress.IPv6None) || address.Equals(IPAddress.IPv6Any)) return true;
        var bytes = address.GetAddressBytes();
        return address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6Multicast || (bytes[0] & 0xFE) == 0xFC;
    }

    private static string Normalize(string host) => host.Trim().TrimStart('[').TrimEnd(']');

    private static HttpRequestException Refused() =>
        new("The receiver resolves only to internal addresses (loopback, private, link-local or metadata), which webhooks may not reach; " +
            "allowlist the host under Webhooks:AllowedInternalHosts if it is yours.");
}
