using Tollgate.Storage;

namespace Tollgate.Budgets;

/// <summary>
/// Once a minute, what is left of each expired grant leaves its wallet by an <c>expiry</c> ledger
/// entry, and the in-memory funds follow. Idempotent: a grant expires once.
/// </summary>
internal sealed partial class GrantExpiryService(IWalletStore wallets, Accounts accounts, TimeProvider time, ILogger<GrantExpiryService> logger,
    Hosting.ILeadership leadership)
    : Hosting.PeriodicJob(time, logger, leadership)
{
    protected override string Doing => "Expiring grants";

    protected override Task RunPassAsync(CancellationToken cancellationToken) => ExpireDueAsync(cancellationToken);

    /// <summary>Runs one pass now; the periodic loop and tests call the same thing.</summary>
    public async Task ExpireDueAsync(CancellationToken cancellationToken)
    {
        foreach (var (customerId, amount) in await wallets.ExpireDueAsync(Time.GetUtcNow(), cancellationToken))
        {
            accounts.AdjustFunds(customerId, -amount);
            LogExpired(Logger, customerId, amount);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Expired grants took {Amount} USD from the wallet of {CustomerId}")]
    private static partial void LogExpired(ILogger logger, string customerId, decimal amount);
}
