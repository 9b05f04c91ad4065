namespace Tollgate.Subscriptions;

/// <summary>Renews subscriptions, ends trials and retries past-due renewals once a minute (and at start).</summary>
internal sealed partial class SubscriptionRenewals(SubscriptionLifecycle lifecycle, TimeProvider time, ILogger<SubscriptionRenewals> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        do
        {
            try
            {
                // Several passes: a node that was down for months renews one period per pass.
                for (var pass = 0; pass < 24 && await lifecycle.RenewDueAsync(stoppingToken) > 0; pass++)
                {
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogFailed(logger, ex);
            }
        }
        while (await WaitAsync(timer, stoppingToken));
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Renewing subscriptions failed; retrying at the next tick")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
