using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Tollgate.Storage;

/// <summary>Ready means the database answers: a node that cannot record usage must not take traffic.</summary>
internal sealed class StorageHealthCheck(StorageBackend storage) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        await storage.PingAsync(cancellationToken) ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy("the database does not answer");
}
