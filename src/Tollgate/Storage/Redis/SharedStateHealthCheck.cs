using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Tollgate.Storage.Redis;

/// <summary>Ready means Redis answers too: without the shared counters a node answers every request with 503.</summary>
internal sealed class SharedStateHealthCheck(SharedState shared) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        await shared.PingAsync() ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy("Redis does not answer");
}
