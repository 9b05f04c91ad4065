using Tollgate.Billing.Catalog;

namespace Tollgate.Catalog;

/// <summary>A customer as the data plane sees it.</summary>
internal sealed record CustomerEntry(string Id, string Name, BillingMode BillingMode, DateTimeOffset CreatedAt);
