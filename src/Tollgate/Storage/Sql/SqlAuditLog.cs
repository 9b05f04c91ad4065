using System.Globalization;
using static Tollgate.Storage.Sql.SqlWrites;

namespace Tollgate.Storage.Sql;

internal sealed class SqlAuditLog(SqlDatabase database) : IAuditLog
{
    public async Task<PageOf<AuditEntry>> ListAsync(AuditFilter filter, Page page, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var select = Command(connection, null, """
            SELECT id, actor, action, target_type, target_id, before, after, at FROM audit_log
            WHERE (CAST(@type AS TEXT) IS NULL OR target_type = @type) AND (CAST(@target AS TEXT) IS NULL OR target_id = @target)
              AND (CAST(@actor AS TEXT) IS NULL OR actor = @actor) AND (CAST(@after AS BIGINT) IS NULL OR id < @after)
            ORDER BY id DESC LIMIT @limit
            """);
        select.Bind("@type", (object?)filter.TargetType ?? DBNull.Value);
        select.Bind("@target", (object?)filter.TargetId ?? DBNull.Value);
        select.Bind("@actor", (object?)filter.Actor ?? DBNull.Value);
        select.Bind("@after", long.TryParse(page.StartingAfter, NumberStyles.None, CultureInfo.InvariantCulture, out var after) ? after : DBNull.Value);
        select.Bind("@limit", page.Limit + 1);
        var entries = new List<AuditEntry>();
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            entries.Add(new AuditEntry(reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4),
                reader.IsDBNull(5) ? null : reader.GetString(5), reader.IsDBNull(6) ? null : reader.GetString(6),
                UnixTime.FromStored(reader.GetInt64(7))) { Id = reader.GetInt64(0) });
        }
        return PageOf<AuditEntry>.FromOverfetch(entries, page.Limit);
    }
}
