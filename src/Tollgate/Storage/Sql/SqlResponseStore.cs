using static Tollgate.Storage.Sql.SqlWrites;

namespace Tollgate.Storage.Sql;

internal sealed class SqlResponseStore(SqlDatabase database) : IResponseStore
{
    public Task SaveAsync(KeptResponse response, CancellationToken cancellationToken = default) =>
        RunAsync(database, audit: null, async (connection, transaction) =>
        {
            var insert = Command(connection, transaction, """
                INSERT INTO stored_responses (id, key_id, customer_id, response, conversation, created_at, expires_at)
                VALUES (@id, @key, @customer, @response, @conversation, @created, @expires)
                ON CONFLICT (id) DO NOTHING
                """);
            insert.Bind("@id", response.Id);
            insert.Bind("@key", response.KeyId);
            insert.Bind("@customer", response.CustomerId);
            insert.Bind("@response", response.Response);
            insert.Bind("@conversation", response.Conversation);
            insert.Bind("@created", UnixTime.ToStored(response.CreatedAt));
            insert.Bind("@expires", UnixTime.ToStored(response.ExpiresAt));
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken);

    public async Task<KeptResponse?> GetAsync(string keyId, string id, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var select = Command(connection, null,
            "SELECT id, key_id, customer_id, response, conversation, created_at, expires_at FROM stored_responses WHERE key_id = @key AND id = @id");
        select.Bind("@key", keyId);
        select.Bind("@id", id);
        await using var r = await select.ExecuteReaderAsync(cancellationToken);
        return await r.ReadAsync(cancellationToken)
            ? new KeptResponse(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4),
                UnixTime.FromStored(r.GetInt64(5)), UnixTime.FromStored(r.GetInt64(6)))
            : null;
    }

    /// <summary>Erased at once and for real (<see cref="SqlDatabase.EraseAsync"/>), as chat history is.</summary>
    public Task<int> DeleteAsync(string keyId, string id, CancellationToken cancellationToken = default) =>
        database.EraseAsync("stored_responses", "DELETE FROM stored_responses WHERE key_id = @key AND id = @id", delete =>
        {
            delete.Bind("@key", keyId);
            delete.Bind("@id", id);
        }, cancellationToken);

    public Task<int> EraseExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken = default) =>
        database.EraseAsync("stored_responses", "DELETE FROM stored_responses WHERE expires_at <= @now",
            delete => delete.Bind("@now", UnixTime.ToStored(now)), cancellationToken);
}
