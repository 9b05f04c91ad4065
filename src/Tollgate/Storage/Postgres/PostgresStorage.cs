using Npgsql;
using Tollgate.Hosting;
using Tollgate.Storage.Sql;

namespace Tollgate.Storage.Postgres;

/// <summary>A PostgreSQL database shared by any number of nodes.</summary>
internal sealed class PostgresStorage(string connectionString) : StorageBackend
{
    private readonly PostgresDatabase _database = new(PostgresConnectionString.Normalize(connectionString));

    public PostgresDatabase Database => _database;

    public override string Description => $"PostgreSQL at {_database.Description}";

    public override bool Shared => true;

    public override async Task<CoreStores> OpenAsync(TimeProvider time, CancellationToken cancellationToken = default)
    {
        await using (var connection = await _database.OpenAsync(cancellationToken))
        {
            await PostgresMigrations.ApplyAsync(connection, cancellationToken);
        }
        return SqlStores.Core(_database, time);
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
}
