namespace Tollgate.Subscriptions;

/// <summary>Renews subscriptions, ends trials and retries past-due renewals once a minute (and at start).</summary>
internal sealed class SubscriptionRenewals(SubscriptionLifecycle lifecycle, TimeProvider time, ILogger<SubscriptionRenewals> logger,
    Hosting.ILeadership leadership)
    : Hosting.PeriodicJob(time, logger, leadership)
{
    protected override string Doing => "Renewing subscriptions";

    /// <summary>Several passes: a node that was down for months renews one period per pass.</summary>
    protected override async Task RunPassAsync(CancellationToken cancellationToken)
    {
        for (var pass = 0; pass < 24 && await lifecycle.RenewDueAsync(cancellationToken) > 0; pass++)
        {
        }
    }
}
