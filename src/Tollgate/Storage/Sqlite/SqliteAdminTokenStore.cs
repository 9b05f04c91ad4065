namespace Tollgate.Storage.Sqlite;

internal sealed class SqliteAdminTokenStore(SqliteDatabase database) : IAdminTokenStore
{
    public async Task<bool> AnyAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT EXISTS (SELECT 1 FROM admin_tokens)";
        return await command.ExecuteScalarAsync(cancellationToken) is 1L;
    }

    public async Task CreateAsync(AdminTokenRecord token, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        using var command = connection.CreateCommand();
        command.CommandText = "INSERT INTO admin_tokens (id, name, secret_hash, scopes, created_at) VALUES ($id, $name, $hash, $scopes, $created)";
        command.Parameters.AddWithValue("$id", token.Id);
        command.Parameters.AddWithValue("$name", token.Name);
        command.Parameters.AddWithValue("$hash", token.SecretHash);
        command.Parameters.AddWithValue("$scopes", string.Join(' ', token.Scopes));
        command.Parameters.AddWithValue("$created", UnixTime.ToStored(token.CreatedAt));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<AdminTokenRecord?> FindAsync(string id, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, name, secret_hash, scopes, created_at, revoked_at FROM admin_tokens WHERE id = $id";
        command.Parameters.AddWithValue("$id", id);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken)) return null;
        return new AdminTokenRecord(reader.GetString(0), reader.GetString(1), (byte[])reader[2],
            reader.GetString(3).Split(' ', StringSplitOptions.RemoveEmptyEntries), UnixTime.FromStored(reader.GetInt64(4)),
            reader.IsDBNull(5) ? null : UnixTime.FromStored(reader.GetInt64(5)));
    }
}
