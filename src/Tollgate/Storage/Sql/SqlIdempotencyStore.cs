using static Tollgate.Storage.Sql.SqlWrites;

namespace Tollgate.Storage.Sql;

internal sealed class SqlIdempotencyStore(SqlDatabase database) : IIdempotencyStore
{
    public async Task<StoredResponse?> ClaimAsync(string actor, string key, string requestHash, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var claim = Command(connection, null, """
            INSERT INTO idempotency_keys (actor, key, request_hash, created_at) VALUES (@actor, @key, @hash, @at)
            ON CONFLICT (actor, key) DO NOTHING
            """);
        claim.Bind("@actor", actor);
        claim.Bind("@key", key);
        claim.Bind("@hash", requestHash);
        claim.Bind("@at", UnixTime.ToStored(at));
        if (await claim.ExecuteNonQueryAsync(cancellationToken) == 1) return null;
        var select = Command(connection, null, "SELECT request_hash, status, content_type, body FROM idempotency_keys WHERE actor = @actor AND key = @key");
        select.Bind("@actor", actor);
        select.Bind("@key", key);
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken)) return null;
        return new StoredResponse(reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetInt32(1),
            reader.IsDBNull(2) ? null : reader.GetString(2), reader.IsDBNull(3) ? null : (byte[])reader[3]);
    }

    public async Task CompleteAsync(string actor, string key, int status, string? contentType, byte[] body, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var complete = Command(connection, null, "UPDATE idempotency_keys SET status = @status, content_type = @type, body = @body WHERE actor = @actor AND key = @key");
        complete.Bind("@actor", actor);
        complete.Bind("@key", key);
        complete.Bind("@status", status);
        complete.Bind("@type", (object?)contentType ?? DBNull.Value);
        complete.Bind("@body", body);
        await complete.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task ReleaseAsync(string actor, string key, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var release = Command(connection, null, "DELETE FROM idempotency_keys WHERE actor = @actor AND key = @key AND status IS NULL");
        release.Bind("@actor", actor);
        release.Bind("@key", key);
        await release.ExecuteNonQueryAsync(cancellationToken);
    }
}
