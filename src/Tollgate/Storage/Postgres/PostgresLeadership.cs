using Npgsql;
using Tollgate.Hosting;

namespace Tollgate.Storage.Postgres;

/// <summary>
/// Leader election by a PostgreSQL session advisory lock: the node whose connection holds it
/// leads. The lock dies with that connection — a killed process, a lost network — and another node
/// takes it at its next try, within <see cref="Interval"/>. The leader checks its connection every
/// interval too, and stops leading the moment the check fails.
/// </summary>
internal sealed partial class PostgresLeadership(PostgresDatabase database, ILogger<PostgresLeadership> logger, TimeSpan? interval = null)
    : BackgroundService, ILeadership
{
    /// <summary>Namespace of the lock; the second key is the schema, so installations sharing a database elect apart.</summary>
    private const int LockNamespace = 1953459309;

    private volatile bool _leader;

    public TimeSpan Interval { get; } = interval ?? TimeSpan.FromSeconds(5);

    public bool IsLeader => _leader;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        NpgsqlConnection? connection = null;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    connection ??= await database.OpenSessionAsync(stoppingToken);
                    var leads = await TryLeadAsync(connection, stoppingToken);
                    if (leads != _leader) LogLeadership(logger, leads);
                    _leader = leads;
                }
                catch (Exception ex) when (ex is NpgsqlException or TimeoutException or InvalidOperationException)
                {
                    if (_leader) LogLost(logger, ex);
                    _leader = false;
                    if (connection is not null) await connection.DisposeAsync();
                    connection = null;
                }
                await Task.Delay(Interval, stoppingToken);
            }
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            _leader = false;
            // Closing the session releases the lock at once, so a stopping leader hands over without waiting.
            if (connection is not null) await connection.DisposeAsync();
        }
    }

    private async Task<bool> TryLeadAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        // Already leading: a round trip proves the session, and with it the lock, is still alive.
        await using var command = new NpgsqlCommand(_leader ? "SELECT true" : $"SELECT pg_try_advisory_lock({LockNamespace}, hashtext(current_schema()))", connection);
        return await command.ExecuteScalarAsync(cancellationToken) is true;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Cluster leadership: this node leads = {Leads}")]
    private static partial void LogLeadership(ILogger logger, bool leads);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lost the database connection that held cluster leadership")]
    private static partial void LogLost(ILogger logger, Exception exception);
}
