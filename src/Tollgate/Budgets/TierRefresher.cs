using Microsoft.Extensions.Options;

namespace Tollgate.Budgets;

/// <summary>
/// Reads paid totals from the ledger again every <see cref="TierOptions.RefreshInterval"/>, so a
/// payment recorded by any part of Tollgate (or another node) promotes without a restart. Grants
/// made through this node's admin API move the standing at once; this catches everything else.
/// </summary>
internal sealed partial class TierRefresher(Tiers tiers, ITierStore store, IOptions<TierOptions> options, TimeProvider time, ILogger<TierRefresher> logger)
    : BackgroundService
{
    public async Task RefreshAsync(CancellationToken cancellationToken = default)
    {
        tiers.SetPaid(await store.LoadPaidAsync(cancellationToken));
        tiers.SetOverrides((await store.LoadOverridesAsync(cancellationToken)).ToDictionary(o => o.Key, o => o.Value.Level, StringComparer.Ordinal));
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!tiers.Enabled) return;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(options.Value.RefreshInterval, time, stoppingToken);
                await RefreshAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LogRefreshFailed(logger, ex);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reading paid totals for spend tiers failed; tiers keep their last standing")]
    private static partial void LogRefreshFailed(ILogger logger, Exception exception);
}
