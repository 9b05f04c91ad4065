using Tollgate.Billing.Catalog;
using Tollgate.Billing.Invoices;
using Tollgate.Billing.Ledger;
using Tollgate.Billing.Wallets;
using Tollgate.Budgets;
using Tollgate.Catalog;
using Tollgate.Storage;

namespace Tollgate.Tests.Storage;

/// <summary>
/// Stored enum values are part of the file format: renaming or renumbering a member would orphan
/// every row written before. A new member is added here on purpose, never by accident.
/// </summary>
public sealed class StoredNamesTests
{
    [Fact]
    public void Of_StoredEnums_NamesAreFrozen()
    {
        AssertFrozen(new Dictionary<UsageStatus, string>
        {
            [UsageStatus.Completed] = "completed",
            [UsageStatus.ClientCancelled] = "client_cancelled",
            [UsageStatus.UpstreamFailed] = "upstream_failed",
        });
        AssertFrozen(new Dictionary<UsageSource, string> { [UsageSource.Backend] = "backend", [UsageSource.Tokenizer] = "tokenizer" });
        AssertFrozen(new Dictionary<BackendKind, string>
        {
            [BackendKind.OpenAi] = "open_ai",
            [BackendKind.Simulator] = "simulator",
            [BackendKind.LocalEmbeddings] = "local_embeddings",
            [BackendKind.Llama] = "llama",
            [BackendKind.Anthropic] = "anthropic",
        });
        AssertFrozen(new Dictionary<ModelTier, string> { [ModelTier.Standard] = "standard", [ModelTier.Premium] = "premium", [ModelTier.Gated] = "gated" });
        AssertFrozen(new Dictionary<ModelKind, string> { [ModelKind.Chat] = "chat", [ModelKind.Embeddings] = "embeddings" });
        AssertFrozen(new Dictionary<BillingMode, string> { [BillingMode.Prepaid] = "prepaid", [BillingMode.Postpaid] = "postpaid" });
        AssertFrozen(new Dictionary<GrantKind, string> { [GrantKind.Purchased] = "purchased", [GrantKind.Promotional] = "promotional" });
        AssertFrozen(new Dictionary<CustomerUserRole, string> { [CustomerUserRole.Owner] = "owner", [CustomerUserRole.Developer] = "developer" });
        AssertFrozen(new Dictionary<BudgetPeriod, string>
        {
            [BudgetPeriod.Wallet] = "wallet",
            [BudgetPeriod.Monthly] = "monthly",
            [BudgetPeriod.Lifetime] = "lifetime",
        });
        AssertFrozen(new Dictionary<InvoiceLineKind, string>
        {
            [InvoiceLineKind.Usage] = "usage",
            [InvoiceLineKind.UsageNotCharged] = "usage_not_charged",
            [InvoiceLineKind.SubscriptionFee] = "subscription_fee",
            [InvoiceLineKind.TrueUp] = "true_up",
            [InvoiceLineKind.Discount] = "discount",
            [InvoiceLineKind.Adjustment] = "adjustment",
            [InvoiceLineKind.CreditNote] = "credit_note",
            [InvoiceLineKind.Credit] = "credit",
            [InvoiceLineKind.Expiry] = "expiry",
            [InvoiceLineKind.PrepaidApplied] = "prepaid_applied",
            [InvoiceLineKind.Rounding] = "rounding",
        });
        AssertFrozen(new Dictionary<InvoiceStatus, string>
        {
            [InvoiceStatus.Draft] = "draft",
            [InvoiceStatus.Finalized] = "finalized",
            [InvoiceStatus.Paid] = "paid",
            [InvoiceStatus.Void] = "void",
        });
        AssertFrozen(new Dictionary<TokenClass, string>
        {
            [TokenClass.Input] = "input",
            [TokenClass.CachedInput] = "cached_input",
            [TokenClass.Output] = "output",
            [TokenClass.Request] = "request",
            [TokenClass.CacheWrite] = "cache_write",
        });
        AssertFrozen(new Dictionary<Tollgate.Billing.Pricing.CostCardKind, string>
        {
            [Tollgate.Billing.Pricing.CostCardKind.Tokens] = "tokens",
            [Tollgate.Billing.Pricing.CostCardKind.Hardware] = "hardware",
        });
        AssertFrozen(new Dictionary<RoutingPolicy, string>
        {
            [RoutingPolicy.Priority] = "priority",
            [RoutingPolicy.Weighted] = "weighted",
            [RoutingPolicy.Cost] = "cost",
            [RoutingPolicy.Latency] = "latency",
        });
    }

    [Fact]
    public void LedgerEntryKind_StoredNumbers_AreFrozen()
    {
        var expected = new Dictionary<LedgerEntryKind, int>
        {
            [LedgerEntryKind.Grant] = 1,
            [LedgerEntryKind.Payment] = 2,
            [LedgerEntryKind.Usage] = 3,
            [LedgerEntryKind.SubscriptionFee] = 4,
            [LedgerEntryKind.TrueUp] = 5,
            [LedgerEntryKind.Discount] = 6,
            [LedgerEntryKind.Adjustment] = 7,
            [LedgerEntryKind.CreditNote] = 8,
            [LedgerEntryKind.Expiry] = 9,
            [LedgerEntryKind.Rounding] = 10,
        };

        Assert.Equal(expected, Enum.GetValues<LedgerEntryKind>().ToDictionary(k => k, k => (int)k));
    }

    [Theory]
    [InlineData("Completed")]
    [InlineData("clientcancelled")]
    [InlineData("client-cancelled")]
    [InlineData("")]
    [InlineData(null)]
    public void TryParse_NotAStoredName_Refused(string? stored) => Assert.False(StoredNames.TryParse<UsageStatus>(stored, out _));

    [Fact]
    public void Parse_UnknownStoredName_ThrowsNamingIt()
    {
        var error = Assert.Throws<InvalidDataException>(() => StoredNames.Parse<UsageSource>("guessed"));

        Assert.Contains("guessed", error.Message);
    }

    /// <summary>Every member has exactly the expected name, and each name reads back as its member.</summary>
    private static void AssertFrozen<T>(Dictionary<T, string> expected)
        where T : struct, Enum
    {
        Assert.Equal(expected, Enum.GetValues<T>().ToDictionary(v => v, v => StoredNames.Of(v)));
        foreach (var (value, name) in expected) Assert.Equal(value, StoredNames.Parse<T>(name));
    }
}
