using System.Text;

namespace Tollgate.Bench.Load;

/// <summary>A POST request as the exact bytes a load generator sends, built once per target and scenario.</summary>
internal static class HttpRequestBytes
{
    public static byte[] Post(Uri url, IReadOnlyList<KeyValuePair<string, string>> headers, byte[] body)
    {
        var head = new StringBuilder();
        head.Append("POST ").Append(url.PathAndQuery).Append(" HTTP/1.1\r\n");
        head.Append("Host: ").Append(url.Authority).Append("\r\n");
        head.Append("Content-Type: application/json\r\n");
        foreach (var (name, value) in headers) head.Append(name).Append(": ").Append(value).Append("\r\n");
        head.Append("Content-Length: ").Append(body.Length).Append("\r\n\r\n");
        return [.. Encoding.ASCII.GetBytes(head.ToString()), .. body];
    }
}
