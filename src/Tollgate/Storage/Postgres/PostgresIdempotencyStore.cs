using static Tollgate.Storage.Postgres.PostgresWrites;

namespace Tollgate.Storage.Postgres;

internal sealed class PostgresIdempotencyStore(PostgresDatabase database) : IIdempotencyStore
{
    public async Task<StoredResponse?> ClaimAsync(string actor, string key, string requestHash, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var claim = Command(connection, null, """
            INSERT INTO idempotency_keys (actor, key, request_hash, created_at) VALUES (@actor, @key, @hash, @at)
            ON CONFLICT (actor, key) DO NOTHING
            """);
        claim.Parameters.AddWithValue("@actor", actor);
        claim.Parameters.AddWithValue("@key", key);
        claim.Parameters.AddWithValue("@hash", requestHash);
        claim.Parameters.AddWithValue("@at", UnixTime.ToStored(at));
        if (await claim.ExecuteNonQueryAsync(cancellationToken) == 1) return null;
        var select = Command(connection, null, "SELECT request_hash, status, content_type, body FROM idempotency_keys WHERE actor = @actor AND key = @key");
        select.Parameters.AddWithValue("@actor", actor);
        select.Parameters.AddWithValue("@key", key);
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken)) return null;
        return new StoredResponse(reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetInt32(1),
            reader.IsDBNull(2) ? null : reader.GetString(2), reader.IsDBNull(3) ? null : (byte[])reader[3]);
    }

    public async Task CompleteAsync(string actor, string key, int status, string? contentType, byte[] body, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var complete = Command(connection, null, "UPDATE idempotency_keys SET status = @status, content_type = @type, body = @body WHERE actor = @actor AND key = @key");
        complete.Parameters.AddWithValue("@actor", actor);
        complete.Parameters.AddWithValue("@key", key);
        complete.Parameters.AddWithValue("@status", status);
        complete.Parameters.AddWithValue("@type", (object?)contentType ?? DBNull.Value);
        complete.Parameters.AddWithValue("@body", body);
        await complete.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task ReleaseAsync(string actor, string key, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var release = Command(connection, null, "DELETE FROM idempotency_keys WHERE actor = @actor AND key = @key AND status IS NULL");
        release.Parameters.AddWithValue("@actor", actor);
        release.Parameters.AddWithValue("@key", key);
        await release.ExecuteNonQueryAsync(cancellationToken);
    }
}
