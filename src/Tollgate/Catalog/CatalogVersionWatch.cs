using Tollgate.Storage;

namespace Tollgate.Catalog;

/// <summary>
/// On a shared database, another node's admin change bumps the catalog version there, not here:
/// this node compares versions every <see cref="Interval"/> and reloads when it is behind. A key
/// revoked through any node is therefore refused by every node within one interval (plus a reload).
/// </summary>
internal sealed partial class CatalogVersionWatch(ICatalogStore store, CatalogState state, CatalogRefresher refresher, TimeProvider time,
    ILogger<CatalogVersionWatch> logger) : BackgroundService
{
    public const string IntervalSetting = "Cluster:VersionCheckInterval";

    public static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(2);

    public TimeSpan Interval { get; init; } = DefaultInterval;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            using var timer = new PeriodicTimer(Interval, time);
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    if (await store.GetVersionAsync(stoppingToken) > state.Current.Version) await refresher.FollowAsync(stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogCheckFailed(logger, ex);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Checking the catalog version failed; this node keeps its snapshot until the next check")]
    private static partial void LogCheckFailed(ILogger logger, Exception exception);
}
