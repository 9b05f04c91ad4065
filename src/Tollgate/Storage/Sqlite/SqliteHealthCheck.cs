using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Tollgate.Storage.Sqlite;

/// <summary>Ready means the database answers: a node that cannot record usage must not take traffic.</summary>
internal sealed class SqliteHealthCheck(SqliteDatabase database) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var connection = await database.OpenAsync(cancellationToken);
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT 1";
            await command.ExecuteScalarAsync(cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (Exception ex) when (ex is Microsoft.Data.Sqlite.SqliteException or IOException)
        {
            return HealthCheckResult.Unhealthy("the database does not answer", ex);
        }
    }
}
