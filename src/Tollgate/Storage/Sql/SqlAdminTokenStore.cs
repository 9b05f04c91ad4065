using System.Data.Common;
using static Tollgate.Storage.Sql.SqlWrites;

namespace Tollgate.Storage.Sql;

internal sealed class SqlAdminTokenStore(SqlDatabase database) : IAdminTokenStore
{
    private const string Columns = "id, name, secret_hash, scopes, created_at, revoked_at";

    public async Task<bool> AnyAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        return await Command(connection, null, "SELECT EXISTS (SELECT 1 FROM admin_tokens)").ExistsAsync(cancellationToken);
    }

    public Task CreateAsync(AdminTokenRecord token, AuditEntry audit, CancellationToken cancellationToken = default) =>
        RunAsync(database, audit, (connection, transaction) =>
        {
            var insert = Command(connection, transaction, $"INSERT INTO admin_tokens ({Columns}) VALUES (@id, @name, @hash, @scopes, @created, NULL)");
            insert.Bind("@id", token.Id);
            insert.Bind("@name", token.Name);
            insert.Bind("@hash", token.SecretHash);
            insert.Bind("@scopes", string.Join(' ', token.Scopes));
            insert.Bind("@created", UnixTime.ToStored(token.CreatedAt));
            return insert.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken);

    public Task RevokeAsync(string id, DateTimeOffset at, AuditEntry audit, CancellationToken cancellationToken = default) =>
        RunAsync(database, audit, (connection, transaction) =>
        {
            var revoke = Command(connection, transaction, "UPDATE admin_tokens SET revoked_at = @at WHERE id = @id AND revoked_at IS NULL");
            revoke.Bind("@id", id);
            revoke.Bind("@at", UnixTime.ToStored(at));
            return revoke.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken);

    public async Task<AdminTokenRecord?> FindAsync(string id, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var select = Command(connection, null, $"SELECT {Columns} FROM admin_tokens WHERE id = @id");
        select.Bind("@id", id);
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Read(reader) : null;
    }

    public Task<PageOf<AdminTokenRecord>> ListAsync(Page page, CancellationToken cancellationToken = default) =>
        SqlPaging.ByCreationAsync(database, "admin_tokens", Columns, "1 = 1", _ => { }, page, Read, cancellationToken);

    private static AdminTokenRecord Read(DbDataReader reader) => new(
        reader.GetString(0), reader.GetString(1), (byte[])reader[2], reader.GetString(3).Split(' ', StringSplitOptions.RemoveEmptyEntries),
        UnixTime.FromStored(reader.GetInt64(4)), reader.IsDBNull(5) ? null : UnixTime.FromStored(reader.GetInt64(5)));
}
