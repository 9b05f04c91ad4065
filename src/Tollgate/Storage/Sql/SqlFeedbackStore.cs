using System.Globalization;
using static Tollgate.Storage.Sql.SqlWrites;

namespace Tollgate.Storage.Sql;

internal sealed class SqlFeedbackStore(SqlDatabase database) : IFeedbackStore
{
    public async Task<string?> ModelOfRequestAsync(string customerId, string requestId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var select = Command(connection, null, "SELECT model_id FROM usage_events WHERE request_id = @request AND customer_id = @customer");
        select.Bind("@request", requestId);
        select.Bind("@customer", customerId);
        return await select.ExecuteScalarAsync(cancellationToken) as string;
    }

    public async Task SaveAsync(FeedbackRecord f, CancellationToken cancellationToken = default)
    {
        // A comment kept earlier and now replaced or dropped is erased for real first: an upsert alone leaves it in the log and free pages.
        await database.EraseAsync("feedback", """
            UPDATE feedback SET comment = NULL, comment_expires_at = NULL
            WHERE request_id = @request AND comment IS NOT NULL AND (CAST(@comment AS TEXT) IS NULL OR comment <> @comment)
            """, erase =>
        {
            erase.Bind("@request", f.RequestId);
            erase.Bind("@comment", f.Comment);
        }, cancellationToken);
        await RunAsync(database, audit: null, async (connection, transaction) =>
        {
            var upsert = Command(connection, transaction, """
                INSERT INTO feedback (request_id, customer_id, model_id, rating, comment, comment_expires_at, created_at)
                VALUES (@request, @customer, @model, @rating, @comment, @expires, @at)
                ON CONFLICT (request_id) DO UPDATE SET rating = excluded.rating, comment = excluded.comment,
                    comment_expires_at = excluded.comment_expires_at, created_at = excluded.created_at
                """);
            upsert.Bind("@request", f.RequestId);
            upsert.Bind("@customer", f.CustomerId);
            upsert.Bind("@model", f.ModelId);
            upsert.Bind("@rating", f.Rating);
            upsert.Bind("@comment", (object?)f.Comment ?? DBNull.Value);
            upsert.Bind("@expires", UnixTime.ToStoredOrNull(f.CommentExpiresAt));
            upsert.Bind("@at", UnixTime.ToStored(f.CreatedAt));
            await upsert.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken);
    }

    public async Task<IReadOnlyList<FeedbackDay>> SummaryAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        // Days are counted since the Unix epoch in SQL (integer division on both backends) and named here.
        var select = Command(connection, null, """
            SELECT created_at / 86400000 AS day, model_id, SUM(CASE WHEN rating = 'up' THEN 1 ELSE 0 END),
                SUM(CASE WHEN rating = 'down' THEN 1 ELSE 0 END), COUNT(comment)
            FROM feedback WHERE created_at >= @from AND created_at < @to
            GROUP BY created_at / 86400000, model_id ORDER BY day, model_id
            """);
        select.Bind("@from", UnixTime.ToStored(from));
        select.Bind("@to", UnixTime.ToStored(to));
        var days = new List<FeedbackDay>();
        await using var r = await select.ExecuteReaderAsync(cancellationToken);
        while (await r.ReadAsync(cancellationToken)) days.Add(new FeedbackDay(DayName(r.GetInt64(0)), r.GetString(1), r.GetInt64(2), r.GetInt64(3), r.GetInt64(4)));
        return days;
    }

    /// <summary>Erased for real: the text also leaves the database files (<see cref="SqlDatabase.EraseAsync"/>).</summary>
    public Task<int> EraseExpiredCommentsAsync(DateTimeOffset now, CancellationToken cancellationToken = default) =>
        database.EraseAsync("feedback",
            "UPDATE feedback SET comment = NULL, comment_expires_at = NULL WHERE comment IS NOT NULL AND comment_expires_at <= @now",
            update => update.Bind("@now", UnixTime.ToStored(now)), cancellationToken);

    private static string DayName(long daysSinceEpoch) =>
        DateOnly.FromDateTime(DateTime.UnixEpoch).AddDays((int)daysSinceEpoch).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
