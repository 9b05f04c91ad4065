using Tollgate.Storage;

namespace Tollgate.Budgets;

/// <summary>
/// Once a minute, what is left of each expired grant leaves its wallet by an <c>expiry</c> ledger
/// entry, and the in-memory funds follow. Idempotent: a grant expires once.
/// </summary>
internal sealed partial class GrantExpiryService(IWalletStore wallets, Accounts accounts, TimeProvider time, ILogger<GrantExpiryService> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    /// <summary>Runs one pass now; the periodic loop and tests call the same thing.</summary>
    public async Task ExpireDueAsync(CancellationToken cancellationToken)
    {
        foreach (var (customerId, amount) in await wallets.ExpireDueAsync(time.GetUtcNow(), cancellationToken))
        {
            accounts.AdjustFunds(customerId, -amount);
            LogExpired(logger, customerId, amount);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        do
        {
            try
            {
                await ExpireDueAsync(stoppingToken);
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

    [LoggerMessage(Level = LogLevel.Information, Message = "Expired grants took {Amount} USD from the wallet of {CustomerId}")]
    private static partial void LogExpired(ILogger logger, string customerId, decimal amount);

    [LoggerMessage(Level = LogLevel.Error, Message = "Expiring grants failed; retrying at the next pass")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
