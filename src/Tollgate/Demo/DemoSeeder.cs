using Tollgate.Billing.Catalog;
using Tollgate.Billing.Wallets;
using Tollgate.Catalog;
using Tollgate.Security;
using Tollgate.Storage;

namespace Tollgate.Demo;

/// <summary>Fills a new database with the demo catalog, a demo customer with $10 of credit, and a key.</summary>
internal sealed class DemoSeeder(IModelStore models, ICustomerStore customers, IWalletStore wallets, SecretHasher hasher, TimeProvider time)
{
    public const decimal DemoCredit = 10m;
    private const string Actor = "system:demo";

    /// <summary>Returns the demo customer's API key secret: the only time it exists in clear.</summary>
    public async Task<(string CustomerId, string ApiKey)> SeedAsync(IReadOnlyList<DemoCatalog.DemoModel> catalog, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        foreach (var model in catalog)
        {
            var id = model.Definition.Id;
            await models.SaveAsync(model.Definition, Audit("model.create", "model", id, now), cancellationToken);
            await models.AddPriceCardAsync(id, now, model.Price, Audit("price.add", "model", id, now), cancellationToken);
            foreach (var backend in model.Definition.Backends)
                await models.AddCostCardAsync(backend.Id, now, model.Cost, Audit("cost.add", "backend", backend.Id, now), cancellationToken);
        }
        var customer = new CustomerEntry(RandomText.Id("cus_"), "Demo Customer", BillingMode.Prepaid, now);
        await customers.CreateAsync(customer, Audit("customer.create", "customer", customer.Id, now), cancellationToken);
        var grant = new Grant(RandomText.Id("grant_"), GrantKind.Promotional, DemoCredit, now, null);
        await wallets.AddGrantAsync(customer.Id, grant, "demo credit", Audit("grant.create", "customer", customer.Id, now), cancellationToken);
        var (keyId, secret) = SecretFormat.ApiKey.Create();
        await customers.CreateKeyAsync(new KeyEntry(keyId, customer.Id, "demo key", hasher.Hash(secret), null, null, null, now),
            Audit("key.create", "api_key", keyId, now), cancellationToken);
        return (customer.Id, secret);
    }

    private static AuditEntry Audit(string action, string type, string id, DateTimeOffset at) => new(Actor, action, type, id, null, null, at);
}
