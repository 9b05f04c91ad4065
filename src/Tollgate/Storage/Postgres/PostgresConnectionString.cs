using Npgsql;

namespace Tollgate.Storage.Postgres;

/// <summary>Accepts both a keyword connection string (<c>Host=…;Database=…</c>) and a URL (<c>postgresql://user:pass@host:5432/db</c>).</summary>
internal static class PostgresConnectionString
{
    public static string Normalize(string value)
    {
        if (!value.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) && !value.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase))
            return new NpgsqlConnectionStringBuilder(value).ConnectionString;
        var url = new Uri(value);
        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = url.Host,
            Port = url.IsDefaultPort || url.Port < 0 ? 5432 : url.Port,
            Database = Uri.UnescapeDataString(url.AbsolutePath.TrimStart('/')),
        };
        if (url.UserInfo.Split(':', 2) is [var user, ..] userInfo && user.Length > 0)
        {
            builder.Username = Uri.UnescapeDataString(user);
            if (userInfo.Length == 2) builder.Password = Uri.UnescapeDataString(userInfo[1]);
        }
        foreach (var pair in url.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var (key, setting) = pair.Split('=', 2) is [var k, var v] ? (k, v) : (pair, "");
            builder[Uri.UnescapeDataString(key)] = Uri.UnescapeDataString(setting);
        }
        return builder.ConnectionString;
    }
}
