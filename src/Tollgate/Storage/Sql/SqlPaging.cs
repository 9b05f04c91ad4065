using System.Data.Common;
using static Tollgate.Storage.Sql.SqlWrites;

namespace Tollgate.Storage.Sql;

/// <summary>One page of a table ordered by creation, after the row with id <see cref="Page.StartingAfter"/>.</summary>
internal static class SqlPaging
{
    /// <summary>The filter is an extra SQL condition (or "1 = 1") whose parameters the bind action sets.</summary>
    public static async Task<PageOf<T>> ByCreationAsync<T>(SqlDatabase database, string table, string columns, string filter,
        Action<DbCommand> bind, Page page, Func<DbDataReader, T> read, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var select = Command(connection, null, $"""
            SELECT {columns} FROM {table}
            WHERE ({filter}) AND (CAST(@after AS TEXT) IS NULL OR (created_at, id) > (SELECT created_at, id FROM {table} WHERE id = @after))
            ORDER BY created_at, id LIMIT @limit
            """);
        bind(select);
        select.Bind("@after", (object?)page.StartingAfter ?? DBNull.Value);
        select.Bind("@limit", page.Limit + 1);
        var items = new List<T>();
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) items.Add(read(reader));
        return PageOf<T>.FromOverfetch(items, page.Limit);
    }
}
