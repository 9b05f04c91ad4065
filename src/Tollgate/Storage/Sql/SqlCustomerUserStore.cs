using System.Data.Common;
using static Tollgate.Storage.Sql.SqlWrites;

namespace Tollgate.Storage.Sql;

internal sealed class SqlCustomerUserStore(SqlDatabase database) : ICustomerUserStore
{
    private const string UserColumns = "id, customer_id, email, role, password_hash, created_at, removed_at";
    private const string InvitationColumns = "id, customer_id, email, role, secret_hash, created_by, created_at, expires_at, accepted_at, user_id";

    public Task CreateInvitationAsync(PortalInvitationRecord invitation, AuditEntry audit, CancellationToken cancellationToken = default) =>
        RunAsync(database, null, async (connection, transaction) =>
        {
            var insert = Command(connection, transaction, $"""
                INSERT INTO portal_invitations ({InvitationColumns})
                VALUES (@id, @customer, @email, @role, @hash, @by, @created, @expires, NULL, NULL)
                """);
            insert.Bind("@id", invitation.Id);
            insert.Bind("@customer", invitation.CustomerId);
            insert.Bind("@email", invitation.Email);
            insert.Bind("@role", StoredNames.Of(invitation.Role));
            insert.Bind("@hash", invitation.SecretHash);
            insert.Bind("@by", invitation.CreatedBy);
            insert.Bind("@created", UnixTime.ToStored(invitation.CreatedAt));
            insert.Bind("@expires", UnixTime.ToStored(invitation.ExpiresAt));
            await insert.ExecuteNonQueryAsync(cancellationToken);
            await InsertAuditAsync(connection, transaction, audit, cancellationToken);
        }, cancellationToken);

    public async Task<PortalInvitationRecord?> FindInvitationAsync(string id, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var select = Command(connection, null, $"SELECT {InvitationColumns} FROM portal_invitations WHERE id = @id");
        select.Bind("@id", id);
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadInvitation(reader) : null;
    }

    public async Task<IReadOnlyList<PortalInvitationRecord>> ListInvitationsAsync(string customerId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var select = Command(connection, null, $"SELECT {InvitationColumns} FROM portal_invitations WHERE customer_id = @customer ORDER BY created_at DESC, id DESC");
        select.Bind("@customer", customerId);
        var found = new List<PortalInvitationRecord>();
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) found.Add(ReadInvitation(reader));
        return found;
    }

    public async Task<InvitationAcceptance> AcceptInvitationAsync(string invitationId, CustomerUserRecord user, DateTimeOffset at, AuditEntry audit,
        CancellationToken cancellationToken = default)
    {
        var outcome = InvitationAcceptance.Accepted;
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        using var transaction = database.BeginWrite(connection);
        var claim = Command(connection, transaction, """
            UPDATE portal_invitations SET accepted_at = @at, user_id = @user
            WHERE id = @id AND accepted_at IS NULL AND expires_at > @at
            """);
        claim.Bind("@id", invitationId);
        claim.Bind("@at", UnixTime.ToStored(at));
        claim.Bind("@user", user.Id);
        if (await claim.ExecuteNonQueryAsync(cancellationToken) != 1) outcome = InvitationAcceptance.Spent;
        else
        {
            var taken = Command(connection, transaction, "SELECT EXISTS (SELECT 1 FROM customer_users WHERE email = @email AND removed_at IS NULL)");
            taken.Bind("@email", user.Email);
            if (await taken.ExistsAsync(cancellationToken)) outcome = InvitationAcceptance.EmailTaken;
        }
        if (outcome != InvitationAcceptance.Accepted)
        {
            transaction.Rollback();
            return outcome;
        }
        var insert = Command(connection, transaction, $"""
            INSERT INTO customer_users ({UserColumns}) VALUES (@id, @customer, @email, @role, @hash, @created, NULL)
            """);
        insert.Bind("@id", user.Id);
        insert.Bind("@customer", user.CustomerId);
        insert.Bind("@email", user.Email);
        insert.Bind("@role", StoredNames.Of(user.Role));
        insert.Bind("@hash", user.PasswordHash);
        insert.Bind("@created", UnixTime.ToStored(user.CreatedAt));
        await insert.ExecuteNonQueryAsync(cancellationToken);
        await InsertAuditAsync(connection, transaction, audit, cancellationToken);
        transaction.Commit();
        return outcome;
    }

    public Task<CustomerUserRecord?> FindUserAsync(string id, CancellationToken cancellationToken = default) =>
        FindUserWhereAsync("id = @value", id, cancellationToken);

    public Task<CustomerUserRecord?> FindUserByEmailAsync(string email, CancellationToken cancellationToken = default) =>
        FindUserWhereAsync("email = @value AND removed_at IS NULL", email, cancellationToken);

    public async Task<IReadOnlyList<CustomerUserRecord>> ListUsersAsync(string customerId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var select = Command(connection, null, $"SELECT {UserColumns} FROM customer_users WHERE customer_id = @customer AND removed_at IS NULL ORDER BY created_at, id");
        select.Bind("@customer", customerId);
        var found = new List<CustomerUserRecord>();
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) found.Add(ReadUser(reader));
        return found;
    }

    public Task RemoveUserAsync(string id, DateTimeOffset at, AuditEntry audit, CancellationToken cancellationToken = default) =>
        RunAsync(database, null, async (connection, transaction) =>
        {
            var remove = Command(connection, transaction, "UPDATE customer_users SET removed_at = @at WHERE id = @id AND removed_at IS NULL");
            remove.Bind("@id", id);
            remove.Bind("@at", UnixTime.ToStored(at));
            await remove.ExecuteNonQueryAsync(cancellationToken);
            await InsertAuditAsync(connection, transaction, audit, cancellationToken);
        }, cancellationToken);

    public Task SetKeyOwnerAsync(string keyId, string userId, CancellationToken cancellationToken = default) =>
        RunAsync(database, null, (connection, transaction) =>
        {
            var insert = Command(connection, transaction, "INSERT INTO portal_key_owners (key_id, user_id) VALUES (@key, @user) ON CONFLICT (key_id) DO NOTHING");
            insert.Bind("@key", keyId);
            insert.Bind("@user", userId);
            return insert.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken);

    public async Task<IReadOnlyDictionary<string, string>> KeyOwnersAsync(string customerId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var select = Command(connection, null, """
            SELECT o.key_id, o.user_id FROM portal_key_owners o JOIN api_keys k ON k.id = o.key_id WHERE k.customer_id = @customer
            """);
        select.Bind("@customer", customerId);
        var owners = new Dictionary<string, string>(StringComparer.Ordinal);
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) owners[reader.GetString(0)] = reader.GetString(1);
        return owners;
    }

    private async Task<CustomerUserRecord?> FindUserWhereAsync(string condition, string value, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var select = Command(connection, null, $"SELECT {UserColumns} FROM customer_users WHERE {condition}");
        select.Bind("@value", value);
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadUser(reader) : null;
    }

    private static CustomerUserRecord ReadUser(DbDataReader reader) => new(
        reader.GetString(0), reader.GetString(1), reader.GetString(2), StoredNames.Parse<CustomerUserRole>(reader.GetString(3)), reader.GetString(4),
        UnixTime.FromStored(reader.GetInt64(5)), reader.IsDBNull(6) ? null : UnixTime.FromStored(reader.GetInt64(6)));

    private static PortalInvitationRecord ReadInvitation(DbDataReader reader) => new(
        reader.GetString(0), reader.GetString(1), reader.GetString(2), StoredNames.Parse<CustomerUserRole>(reader.GetString(3)), (byte[])reader[4],
        reader.GetString(5), UnixTime.FromStored(reader.GetInt64(6)), UnixTime.FromStored(reader.GetInt64(7)),
        reader.IsDBNull(8) ? null : UnixTime.FromStored(reader.GetInt64(8)), reader.IsDBNull(9) ? null : reader.GetString(9));
}
