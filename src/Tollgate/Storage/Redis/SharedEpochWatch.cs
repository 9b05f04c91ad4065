namespace Tollgate.Storage.Redis;

/// <summary>
/// Checks Redis's epoch every few hundred milliseconds, so a Redis that restarted empty gets this
/// node's holds back well within the grace before any account is seeded in it.
/// </summary>
internal sealed partial class SharedEpochWatch(RedisAccounts accounts, SharedOptions options, ILogger<SharedEpochWatch> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.EpochCheck);
        try
        {
            do
            {
                try
                {
                    await accounts.CheckEpochAsync();
                }
                catch (SharedStateUnavailableException ex)
                {
                    // Unreachable: requests fail closed meanwhile, and the next check puts the holds back.
                    LogUnreachable(logger, ex);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Redis epoch check failed")]
    private static partial void LogUnreachable(ILogger logger, Exception exception);
}
