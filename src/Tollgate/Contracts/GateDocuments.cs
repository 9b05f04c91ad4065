using Tollgate.Billing;
using Tollgate.Billing.Contracts;

namespace Tollgate.Contracts;

/// <summary>
/// A gated model's admission rule. <c>min_spend</c> null closes the spend path; <c>min_commitment</c>
/// null admits any contract entitling the model; <c>invitations</c> false closes the invitation path.
/// </summary>
internal sealed record GateRuleDto(string? ModelId, string? MinCommitment, string? MinSpend, int? SpendDays, int? MinAccountAgeDays, bool? Invitations)
{
    public static GateRuleDto From(GateRule r) => new(r.ModelId, MoneyOrNull(r.MinCommitment), MoneyOrNull(r.MinSpend), r.SpendDays, r.MinAccountAgeDays, r.Invitations);

    /// <summary>The rule, or the message and parameter of the first thing wrong with it.</summary>
    public (GateRule? Rule, string? Error, string? Param) ToRule(string modelId)
    {
        decimal? commitment = null, spend = null;
        if (MinCommitment is not null)
        {
            if (!Money.TryParse(MinCommitment, out var c) || c < 0) return (null, "'min_commitment' must be a non-negative decimal string of dollars.", "min_commitment");
            commitment = c;
        }
        if (MinSpend is not null)
        {
            if (!Money.TryParse(MinSpend, out var s) || s <= 0) return (null, "'min_spend' must be a positive decimal string of dollars.", "min_spend");
            spend = s;
        }
        var days = SpendDays ?? GateRule.DefaultSpendDays;
        if (days is < 1 or > 365) return (null, "'spend_days' must be from 1 to 365.", "spend_days");
        var age = MinAccountAgeDays ?? 0;
        if (age is < 0 or > 3650) return (null, "'min_account_age_days' must be from 0 to 3650.", "min_account_age_days");
        return (new GateRule(modelId, commitment, spend, days, age, Invitations ?? true), null, null);
    }

    private static string? MoneyOrNull(decimal? amount) => amount is { } a ? Money.Format(a) : null;
}

/// <summary>An invitation as the admin API shows it; <c>status</c> is <c>valid</c>, <c>expired</c> or <c>revoked</c>.</summary>
internal sealed record InvitationDto(
    string Id, string CustomerId, string ModelId, string Status, DateTimeOffset ExpiresAt, DateTimeOffset? RevokedAt, string? Note, DateTimeOffset CreatedAt)
{
    public static InvitationDto From(GateInvitation i, DateTimeOffset now) => new(
        i.Id, i.CustomerId, i.ModelId, i.RevokedAt is not null && i.RevokedAt <= now ? "revoked" : i.IsValid(now) ? "valid" : "expired",
        i.ExpiresAt, i.RevokedAt, i.Note, i.CreatedAt);
}

/// <summary><c>expires_at</c> or <c>days</c> (from now), not both.</summary>
internal sealed record InvitationRequest(string? CustomerId, string? ModelId, DateTimeOffset? ExpiresAt, int? Days, string? Note);

/// <summary>A gated model and what it takes, as <c>GET /admin/v1/gates</c> lists them.</summary>
internal sealed record GateDto(string ModelId, GateRuleDto Rule, bool RuleSet);
