using Npgsql;
using static Tollgate.Storage.Postgres.PostgresWrites;

namespace Tollgate.Storage.Postgres;

internal sealed class PostgresAdminTokenStore(PostgresDatabase database) : IAdminTokenStore
{
    private const string Columns = "id, name, secret_hash, scopes, created_at, revoked_at";

    public async Task<bool> AnyAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await Command(connection, null, "SELECT EXISTS (SELECT 1 FROM admin_tokens)").ExecuteScalarAsync(cancellationToken) is true;
    }

    public Task CreateAsync(AdminTokenRecord token, AuditEntry audit, CancellationToken cancellationToken = default) =>
        RunAsync(database, audit, (connection, transaction) =>
        {
            var insert = Command(connection, transaction, $"INSERT INTO admin_tokens ({Columns}) VALUES (@id, @name, @hash, @scopes, @created, NULL)");
            insert.Parameters.AddWithValue("@id", token.Id);
            insert.Parameters.AddWithValue("@name", token.Name);
            insert.Parameters.AddWithValue("@hash", token.SecretHash);
            insert.Parameters.AddWithValue("@scopes", string.Join(' ', token.Scopes));
            insert.Parameters.AddWithValue("@created", UnixTime.ToStored(token.CreatedAt));
            return insert.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken);

    public Task RevokeAsync(string id, DateTimeOffset at, AuditEntry audit, CancellationToken cancellationToken = default) =>
        RunAsync(database, audit, (connection, transaction) =>
        {
            var revoke = Command(connection, transaction, "UPDATE admin_tokens SET revoked_at = @at WHERE id = @id AND revoked_at IS NULL");
            revoke.Parameters.AddWithValue("@id", id);
            revoke.Parameters.AddWithValue("@at", UnixTime.ToStored(at));
            return revoke.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken);

    public async Task<AdminTokenRecord?> FindAsync(string id, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var select = Command(connection, null, $"SELECT {Columns} FROM admin_tokens WHERE id = @id");
        select.Parameters.AddWithValue("@id", id);
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Read(reader) : null;
    }

    public Task<PageOf<AdminTokenRecord>> ListAsync(Page page, CancellationToken cancellationToken = default) =>
        PostgresPaging.ByCreationAsync(database, "admin_tokens", Columns, "1 = 1", _ => { }, page, Read, cancellationToken);

    private static AdminTokenRecord Read(NpgsqlDataReader reader) => new(
        reader.GetString(0), reader.GetString(1), (byte[])reader[2], reader.GetString(3).Split(' ', StringSplitOptions.RemoveEmptyEntries),
        UnixTime.FromStored(reader.GetInt64(4)), reader.IsDBNull(5) ? null : UnixTime.FromStored(reader.GetInt64(5)));
}
