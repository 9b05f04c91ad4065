using System.Data.Common;
using static Tollgate.Storage.Sql.SqlWrites;

namespace Tollgate.Storage.Sql;

internal sealed class SqlChatHistoryStore(SqlDatabase database) : IChatHistoryStore
{
    private const string Columns = "id, key_id, customer_id, title, messages, created_at, updated_at, expires_at";

    public async Task<DateTimeOffset?> EnabledAtAsync(string keyId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var select = Command(connection, null, "SELECT enabled_at FROM chat_history_settings WHERE key_id = @key");
        select.Bind("@key", keyId);
        return await select.ExecuteScalarAsync(cancellationToken) is long at ? UnixTime.FromStored(at) : null;
    }

    /// <summary>Turning history off erases what was kept first (for real, as <see cref="DeleteAsync"/> does), then the setting.</summary>
    public async Task SetEnabledAsync(string keyId, string customerId, DateTimeOffset? enabledAt, CancellationToken cancellationToken = default)
    {
        if (enabledAt is null) await DeleteAsync(keyId, null, cancellationToken);
        await RunAsync(database, audit: null, async (connection, transaction) =>
        {
            var write = Command(connection, transaction, enabledAt is null
                ? "DELETE FROM chat_history_settings WHERE key_id = @key"
                : "INSERT INTO chat_history_settings (key_id, customer_id, enabled_at) VALUES (@key, @customer, @at) ON CONFLICT (key_id) DO NOTHING");
            write.Bind("@key", keyId);
            if (enabledAt is { } at)
            {
                write.Bind("@customer", customerId);
                write.Bind("@at", UnixTime.ToStored(at));
            }
            await write.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken);
    }

    public async Task<bool> SaveAsync(ChatConversation c, CancellationToken cancellationToken = default)
    {
        var saved = false;
        await RunAsync(database, audit: null, async (connection, transaction) =>
        {
            var upsert = Command(connection, transaction, $"""
                INSERT INTO chat_conversations ({Columns}) VALUES (@id, @key, @customer, @title, @messages, @created, @updated, @expires)
                ON CONFLICT (id) DO UPDATE SET title = excluded.title, messages = excluded.messages, updated_at = excluded.updated_at,
                    expires_at = excluded.expires_at
                WHERE chat_conversations.key_id = excluded.key_id
                """);
            upsert.Bind("@id", c.Id);
            upsert.Bind("@key", c.KeyId);
            upsert.Bind("@customer", c.CustomerId);
            upsert.Bind("@title", c.Title);
            upsert.Bind("@messages", c.Messages);
            upsert.Bind("@created", UnixTime.ToStored(c.CreatedAt));
            upsert.Bind("@updated", UnixTime.ToStored(c.UpdatedAt));
            upsert.Bind("@expires", UnixTime.ToStored(c.ExpiresAt));
            saved = await upsert.ExecuteNonQueryAsync(cancellationToken) == 1;
        }, cancellationToken);
        return saved;
    }

    public async Task<IReadOnlyList<ChatConversation>> ListAsync(string keyId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var select = Command(connection, null, $"SELECT {Columns} FROM chat_conversations WHERE key_id = @key ORDER BY updated_at DESC, id");
        select.Bind("@key", keyId);
        return await ReadAsync(select, cancellationToken);
    }

    public async Task<ChatConversation?> GetAsync(string keyId, string id, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var select = Command(connection, null, $"SELECT {Columns} FROM chat_conversations WHERE key_id = @key AND id = @id");
        select.Bind("@key", keyId);
        select.Bind("@id", id);
        return (await ReadAsync(select, cancellationToken)).SingleOrDefault();
    }

    /// <summary>
    /// Erased at once and for real, as the retention job erases: the text also leaves the database files
    /// (<see cref="SqlDatabase.EraseAsync"/>), not only the table, when the customer asks.
    /// </summary>
    public Task<int> DeleteAsync(string keyId, string? id, CancellationToken cancellationToken = default) =>
        database.EraseAsync("chat_conversations", "DELETE FROM chat_conversations WHERE key_id = @key" + (id is null ? "" : " AND id = @id"),
            delete =>
            {
                delete.Bind("@key", keyId);
                if (id is not null) delete.Bind("@id", id);
            }, cancellationToken);

    /// <summary>Erased for real, as feedback comments are: the text also leaves the database files (<see cref="SqlDatabase.EraseAsync"/>).</summary>
    public Task<int> EraseExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken = default) =>
        database.EraseAsync("chat_conversations", "DELETE FROM chat_conversations WHERE expires_at <= @now",
            delete => delete.Bind("@now", UnixTime.ToStored(now)), cancellationToken);

    private static async Task<IReadOnlyList<ChatConversation>> ReadAsync(DbCommand select, CancellationToken cancellationToken)
    {
        var list = new List<ChatConversation>();
        await using var r = await select.ExecuteReaderAsync(cancellationToken);
        while (await r.ReadAsync(cancellationToken))
        {
            list.Add(new ChatConversation(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4),
                UnixTime.FromStored(r.GetInt64(5)), UnixTime.FromStored(r.GetInt64(6)), UnixTime.FromStored(r.GetInt64(7))));
        }
        return list;
    }
}
