using Tollgate.Billing.Economics;

namespace Tollgate.Storage;

/// <summary>
/// What unit-economics reports read: usage from the rollups, subscription fees and what promotional
/// credit paid from the ledger, and cost to serve by hour for idle cost. Reports only: never on a request's path.
/// </summary>
internal interface IEconomicsQueries
{
    /// <summary>Usage per customer, day, model and backend for the UTC days in [<paramref name="from"/>, <paramref name="to"/>).</summary>
    Task<IReadOnlyList<UsageLine>> UsageAsync(DateOnly from, DateOnly to, CancellationToken cancellationToken = default);

    /// <summary>Subscription fees whose span (see <see cref="FeeSpans"/>) overlaps [<paramref name="from"/>, <paramref name="to"/>), with the subscription's plan.</summary>
    Task<IReadOnlyList<FeeCharge>> FeesAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default);

    /// <summary>
    /// What promotional grants paid of usage and fee debits, on the usage's day (with its model and
    /// backend) or spread like the fee; only shares on days in [<paramref name="from"/>, <paramref name="to"/>).
    /// </summary>
    Task<IReadOnlyList<PromotionalShare>> PromotionalAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default);

    /// <summary>Each customer with a subscription live at some time in [<paramref name="from"/>, <paramref name="to"/>), with its plan (the latest such subscription's).</summary>
    Task<IReadOnlyDictionary<string, string>> SubscribersAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default);

    /// <summary>Cost to serve per backend per hour (keyed by the hour's start) of requests completed in [<paramref name="from"/>, <paramref name="to"/>) on these backends.</summary>
    Task<IReadOnlyDictionary<string, Dictionary<DateTimeOffset, decimal>>> HourlyCostAsync(IReadOnlyCollection<string> backendIds, DateTimeOffset from,
        DateTimeOffset to, CancellationToken cancellationToken = default);
}
