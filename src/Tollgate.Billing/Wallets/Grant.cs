namespace Tollgate.Billing.Wallets;

/// <summary>Credit added to a wallet; what is left of it at <see cref="ExpiresAt"/> leaves by an expiry entry.</summary>
public sealed record Grant(string Id, GrantKind Kind, decimal Amount, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt);
