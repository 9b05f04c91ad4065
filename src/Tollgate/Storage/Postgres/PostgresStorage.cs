using Npgsql;
using Tollgate.Hosting;
using Tollgate.Storage.Sql;

namespace Tollgate.Storage.Postgres;

/// <summary>A PostgreSQL database shared by any number of nodes.</summary>
internal sealed class PostgresStorage(ServeSettings settings) : StorageBackend
{
    /// <summary>
    /// In the data directory: the id of the PostgreSQL installation this node served, so that an empty
    /// database is known to be a lost one even where the key pepper comes from the environment.
    /// </summary>
    public const string ServedFile = "postgres-database-id";

    private readonly PostgresDatabase _database = new(PostgresConnectionString.Normalize(
        settings.Database ?? throw new ArgumentException("No PostgreSQL connection string was given.", nameof(settings))));

    private PostgresIdentity? _identity;

    public PostgresDatabase Database => _database;

    public override string Description => $"PostgreSQL at {_database.Description}";

    public override bool Shared => true;

    public override async Task<CoreStores> OpenAsync(TimeProvider time, CancellationToken cancellationToken = default)
    {
        await using (var connection = await _database.OpenAsync(cancellationToken))
        {
            if (await PostgresIdentity.IsEmptyAsync(connection, cancellationToken)) RefuseEmptyDatabase();
            await PostgresMigrations.ApplyAsync(connection, cancellationToken);
            _identity = await PostgresIdentity.EnsureAsync(connection, cancellationToken);
        }
        DataDirectory.WriteOwnerOnly(Path.Combine(settings.DataDir, ServedFile), _identity.DatabaseId + "\n");
        return SqlStores.Core(_database, time);
    }

    /// <summary>
    /// The database must still be the installation this node opened: dropped and recreated empty, it
    /// would take usage into books that lost everything before; another installation's, into the wrong
    /// books. Unreachable, it says nothing here (readiness's ping does).
    /// </summary>
    public override async Task<string?> CheckIdentityAsync(CancellationToken cancellationToken = default)
    {
        if (_identity is null) return null;
        try
        {
            await using var connection = await _database.OpenAsync(cancellationToken);
            return await _identity.CompareAsync(connection, _database.Description, cancellationToken);
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
        {
            return null;
        }
    }

    public override void AddServices(IServiceCollection services)
    {
        services.AddSingleton(_database);
        SqlStores.Add(services, _database);
        services.AddSingleton(sp => new PostgresLeadership(_database, sp.GetRequiredService<ILogger<PostgresLeadership>>()));
        services.AddSingleton<ILeadership>(sp => sp.GetRequiredService<PostgresLeadership>());
        services.AddHostedService(sp => sp.GetRequiredService<PostgresLeadership>());
        services.AddSingleton<ILedgerSnapshots>(new PostgresLedgerSnapshots(_database));
        services.AddSingleton<PostgresUsageWriter>();
        services.AddSingleton<IUsageRecorder>(sp => sp.GetRequiredService<PostgresUsageWriter>());
        services.AddHostedService(sp => sp.GetRequiredService<PostgresUsageWriter>());
    }

    public override async Task<bool> PingAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            await using var connection = await _database.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand("SELECT 1", connection);
            await command.ExecuteScalarAsync(cancellationToken);
            return true;
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
        {
            return false;
        }
    }

    public override ValueTask DisposeAsync() => _database.DisposeAsync();

    /// <summary>An empty schema where this data directory shows books were kept (a pepper file, or the id of a database served before).</summary>
    private void RefuseEmptyDatabase()
    {
        if (settings.NewDatabase) return;
        var pepper = File.Exists(Path.Combine(settings.DataDir, DataDirectory.PepperFile));
        var served = File.Exists(Path.Combine(settings.DataDir, ServedFile));
        if (!pepper && !served) return;
        var evidence = pepper ? $"a key pepper ({DataDirectory.PepperFile})" : $"served a PostgreSQL database before ({ServedFile})";
        throw EmptyBooksRefused(settings.DataDir, evidence, $"the PostgreSQL database {_database.Description} has no Tollgate tables",
            "from your PostgreSQL backup, or fix the connection string");
    }
}
