using Tollgate.Billing.Pricing;
using Tollgate.Catalog;

namespace Tollgate.Storage;

/// <summary>Durable home of customers, keys, models and their price and cost cards.</summary>
internal interface ICatalogStore
{
    /// <summary>Reads everything the data plane needs into one immutable snapshot.</summary>
    Task<CatalogSnapshot> LoadSnapshotAsync(CancellationToken cancellationToken = default);

    Task<bool> HasAnyModelAsync(CancellationToken cancellationToken = default);

    Task CreateCustomerAsync(CustomerEntry customer, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<CustomerEntry>> ListCustomersAsync(CancellationToken cancellationToken = default);

    Task CreateKeyAsync(KeyEntry key, CancellationToken cancellationToken = default);

    /// <summary>Creates or replaces a model's definition and its backends; price and cost cards are kept.</summary>
    Task SaveModelAsync(ModelDefinition model, CancellationToken cancellationToken = default);

    /// <summary>Adds a price version; history is never rewritten. Returns the new version.</summary>
    Task<long> AddPriceCardAsync(string modelId, DateTimeOffset effectiveFrom, TokenRates rates, CancellationToken cancellationToken = default);

    Task<long> AddCostCardAsync(string backendId, DateTimeOffset effectiveFrom, TokenRates rates, CancellationToken cancellationToken = default);

    Task<string?> GetSettingAsync(string key, CancellationToken cancellationToken = default);

    Task SetSettingAsync(string key, string value, CancellationToken cancellationToken = default);
}
