namespace Tollgate.Billing.Contracts;

/// <summary>An operator's invitation for one customer to call one gated model until it expires or is revoked.</summary>
public sealed record GateInvitation(string Id, string CustomerId, string ModelId, DateTimeOffset ExpiresAt, string? Note, DateTimeOffset CreatedAt)
{
    public DateTimeOffset? RevokedAt { get; init; }

    public bool IsValid(DateTimeOffset at) => at < ExpiresAt && (RevokedAt is null || at < RevokedAt);
}
