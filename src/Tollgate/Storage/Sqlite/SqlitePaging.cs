using Microsoft.Data.Sqlite;
using static Tollgate.Storage.Sqlite.SqliteWrites;

namespace Tollgate.Storage.Sqlite;

/// <summary>One page of a table ordered by creation, after the row with id <see cref="Page.StartingAfter"/>.</summary>
internal static class SqlitePaging
{
    /// <summary>The filter is an extra SQL condition (or "1 = 1") whose parameters the bind action sets.</summary>
    public static async Task<PageOf<T>> ByCreationAsync<T>(SqliteDatabase database, string table, string columns, string filter,
        Action<SqliteCommand> bind, Page page, Func<SqliteDataReader, T> read, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var select = Command(connection, null, $"""
            SELECT {columns} FROM {table}
            WHERE ({filter}) AND ($after IS NULL OR (created_at, id) > (SELECT created_at, id FROM {table} WHERE id = $after))
            ORDER BY created_at, id LIMIT $limit
            """);
        bind(select);
        select.Parameters.AddWithValue("$after", (object?)page.StartingAfter ?? DBNull.Value);
        select.Parameters.AddWithValue("$limit", page.Limit + 1);
        var items = new List<T>();
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) items.Add(read(reader));
        return PageOf<T>.FromOverfetch(items, page.Limit);
    }
}
