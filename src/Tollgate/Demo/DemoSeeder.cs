using Tollgate.Billing.Catalog;
using Tollgate.Billing.Contracts;
using Tollgate.Billing.Pricing;
using Tollgate.Billing.Wallets;
using Tollgate.Catalog;
using Tollgate.Security;
using Tollgate.Storage;

namespace Tollgate.Demo;

/// <summary>
/// Fills a new database with the demo catalog, a demo customer with $10 of credit and a key, the
/// gate rule of <c>tg-flagship</c>, and an enterprise customer whose contract lets it call the flagship.
/// </summary>
internal sealed class DemoSeeder(
    IModelStore models, ICustomerStore customers, IWalletStore wallets, IContractStore contracts, SecretHasher hasher, TimeProvider time)
{
    public const decimal DemoCredit = 10m;
    public const string FlagshipModel = "tg-flagship";
    private const string Actor = "system:demo";

    /// <summary>Returns the demo customers' API key secrets: the only time they exist in clear.</summary>
    public async Task<DemoSeed> SeedAsync(IReadOnlyList<DemoCatalog.DemoModel> catalog, CancellationToken cancellationToken = default)
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
        var secret = await CreateKeyAsync(customer.Id, "demo key", now, cancellationToken);

        // The flagship: $100 paid on other models over 30 days with an account 14 days old, a contract, or an invitation.
        await contracts.PutGateRuleAsync(new GateRule(FlagshipModel, null, 100m, 30, 14, true), Audit("gate_rule.put", "gate_rule", FlagshipModel, now),
            cancellationToken);
        var enterprise = new CustomerEntry(RandomText.Id("cus_"), "Demo Enterprise", BillingMode.Postpaid, now);
        await customers.CreateAsync(enterprise, Audit("customer.create", "customer", enterprise.Id, now), cancellationToken);
        var contract = new Contract(RandomText.Id("ctr_"), enterprise.Id, now, now.AddYears(1), 500m, 10m, new Dictionary<string, TokenRates>(),
            [FlagshipModel], now);
        await contracts.SaveContractAsync(contract, Audit("contract.create", "contract", contract.Id, now), cancellationToken);
        var enterpriseSecret = await CreateKeyAsync(enterprise.Id, "enterprise demo key", now, cancellationToken);
        return new DemoSeed(customer.Id, secret, enterprise.Id, enterpriseSecret);
    }

    private async Task<string> CreateKeyAsync(string customerId, string name, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var (keyId, secret) = SecretFormat.ApiKey.Create();
        await customers.CreateKeyAsync(new KeyEntry(keyId, customerId, name, hasher.Hash(secret), null, null, null, now),
            Audit("key.create", "api_key", keyId, now), cancellationToken);
        return secret;
    }

    private static AuditEntry Audit(string action, string type, string id, DateTimeOffset at) => new(Actor, action, type, id, null, null, at);
}

/// <summary>The demo's two customers and their API keys: a prepaid one on promotional credit, and a contracted enterprise one.</summary>
internal sealed record DemoSeed(string CustomerId, string ApiKey, string EnterpriseCustomerId, string EnterpriseApiKey);
