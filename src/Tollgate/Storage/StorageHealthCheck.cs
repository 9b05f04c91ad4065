using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Tollgate.Storage;

/// <summary>
/// Ready means usage can be recorded: the database answers, it is the file this node opened, and
/// no usage commit has failed since the last successful write. A node that cannot record usage must not take traffic.
/// </summary>
internal sealed class StorageHealthCheck(StorageBackend storage, StorageGuard guard) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        guard.IdentityChecked(await storage.CheckIdentityAsync(cancellationToken));
        if (guard.Fault is { } fault) return HealthCheckResult.Unhealthy(fault);
        return await storage.PingAsync(cancellationToken) ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy("the database does not answer");
    }
}
