using Tollgate.Billing.Catalog;
using Tollgate.Catalog;
using Tollgate.Security;
using Tollgate.Storage;

namespace Tollgate.Demo;

/// <summary>Fills a new database with the demo catalog, a demo customer with $10 of credit, and a key.</summary>
internal sealed class DemoSeeder(ICatalogStore catalog, ILedgerWriter ledger, SecretHasher hasher, TimeProvider time)
{
    public const decimal DemoCredit = 10m;

    /// <summary>Returns the demo customer's API key secret: the only time it exists in clear.</summary>
    public async Task<(string CustomerId, string ApiKey)> SeedAsync(CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        foreach (var model in DemoCatalog.Models)
        {
            await catalog.SaveModelAsync(model.Definition, cancellationToken);
            await catalog.AddPriceCardAsync(model.Definition.Id, now, model.Price, cancellationToken);
            foreach (var backend in model.Definition.Backends)
                await catalog.AddCostCardAsync(backend.Id, now, model.Cost, cancellationToken);
        }
        var customer = new CustomerEntry(RandomText.Id("cus_"), "Demo Customer", BillingMode.Prepaid, now);
        await catalog.CreateCustomerAsync(customer, cancellationToken);
        await ledger.AppendAsync(customer.Id, Billing.Ledger.LedgerEntryKind.Grant, DemoCredit, $"demo-grant:{customer.Id}", now, cancellationToken);
        var (keyId, secret) = ApiKeySecret.Create();
        await catalog.CreateKeyAsync(new KeyEntry(keyId, customer.Id, "demo key", hasher.Hash(secret), null, null, null, now), cancellationToken);
        return (customer.Id, secret);
    }
}
