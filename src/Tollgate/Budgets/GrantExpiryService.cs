using Tollgate.Storage;

namespace Tollgate.Budgets;

/// <summary>
/// Once a minute, what is left of each expired grant leaves its wallet by an <c>expiry</c> ledger
/// entry, and the in-memory funds follow. Idempotent: a grant expires once. The job only writes the
/// books: a wallet stops spending a grant at its expiry instant, whenever this runs.
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
        var now = Time.GetUtcNow();
        foreach (var expiry in await wallets.ExpireDueAsync(now, customer => accounts.ExpirySettledUntilAsync(customer, now), cancellationToken))
        {
            accounts.ExpireGrant(expiry.CustomerId, expiry.GrantId, expiry.Amount);
            LogExpired(Logger, expiry.GrantId, expiry.Amount, expiry.CustomerId);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Grant {GrantId} expired: its unused {Amount} USD left the wallet of {CustomerId}")]
    private static partial void LogExpired(ILogger logger, string grantId, decimal amount, string customerId);
}
