using System.Globalization;
using Npgsql;

namespace Tollgate.Storage.Postgres;

/// <summary>
/// Which PostgreSQL installation a node serves: the random id written into the schema when it was
/// created (<see cref="StorageBackend.DatabaseIdSetting"/>), and the cluster's <c>system_identifier</c>
/// where the role may read it (null where it may not, and then only the id is compared). A node
/// keeps what it saw at start and compares it on every readiness check.
/// </summary>
internal sealed record PostgresIdentity(string DatabaseId, long? SystemIdentifier)
{
    private const string UndefinedTable = "42P01";
    private const string InsufficientPrivilege = "42501";

    /// <summary>Whether the schema has no Tollgate tables at all (never created, or dropped): read before any migration.</summary>
    public static async Task<bool> IsEmptyAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT to_regclass('schema_version') IS NULL OR NOT EXISTS (SELECT 1 FROM schema_version)", connection);
        try
        {
            return await command.ExecuteScalarAsync(cancellationToken) is true;
        }
        catch (PostgresException ex) when (ex.SqlState == UndefinedTable)
        {
            return true;
        }
    }

    /// <summary>Writes the schema's id if it has none (a new schema), and reads the installation's identity.</summary>
    public static async Task<PostgresIdentity> EnsureAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using (var insert = new NpgsqlCommand("INSERT INTO settings (key, value) VALUES (@key, @value) ON CONFLICT (key) DO NOTHING", connection))
        {
            insert.Parameters.AddWithValue("key", StorageBackend.DatabaseIdSetting);
            insert.Parameters.AddWithValue("value", Guid.NewGuid().ToString("N"));
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }
        return await ReadAsync(connection, cancellationToken) ?? throw new InvalidOperationException("The database id just written cannot be read.");
    }

    /// <summary>Why the database behind <paramref name="connection"/> is no longer this installation; null when it still is.</summary>
    public async Task<string?> CompareAsync(NpgsqlConnection connection, string description, CancellationToken cancellationToken)
    {
        PostgresIdentity? now;
        try
        {
            now = await ReadAsync(connection, cancellationToken);
        }
        catch (PostgresException ex) when (ex.SqlState == UndefinedTable)
        {
            return $"the PostgreSQL database {description} has no Tollgate tables any more (dropped, or recreated empty, while serving)";
        }
        if (now is null) return $"the PostgreSQL database {description} no longer holds this installation's identity (recreated while serving?)";
        if (now.DatabaseId != DatabaseId) return $"the PostgreSQL database {description} is another installation than the one this node opened (its database id differs)";
        if (SystemIdentifier is { } first && now.SystemIdentifier is { } current && first != current)
            return $"the PostgreSQL database {description} is now served by another PostgreSQL cluster (system identifier {current.ToString(CultureInfo.InvariantCulture)}, " +
                $"was {first.ToString(CultureInfo.InvariantCulture)}): a restore or a connection pointed elsewhere while serving";
        return null;
    }

    private static async Task<PostgresIdentity?> ReadAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        string? id;
        await using (var select = new NpgsqlCommand("SELECT value FROM settings WHERE key = @key", connection))
        {
            select.Parameters.AddWithValue("key", StorageBackend.DatabaseIdSetting);
            id = await select.ExecuteScalarAsync(cancellationToken) as string;
        }
        return id is null ? null : new PostgresIdentity(id, await SystemIdentifierAsync(connection, cancellationToken));
    }

    /// <summary>The cluster's identifier from its control file; null where the role lacks the privilege to read it.</summary>
    private static async Task<long?> SystemIdentifierAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var select = new NpgsqlCommand("SELECT system_identifier FROM pg_control_system()", connection);
        try
        {
            return await select.ExecuteScalarAsync(cancellationToken) is long found ? found : null;
        }
        catch (PostgresException ex) when (ex.SqlState == InsufficientPrivilege)
        {
            return null;
        }
    }
}
