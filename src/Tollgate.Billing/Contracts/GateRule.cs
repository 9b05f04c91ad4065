namespace Tollgate.Billing.Contracts;

/// <summary>
/// How a customer qualifies for a gated model — any one path suffices: an active contract that
/// entitles the model (with at least <see cref="MinCommitment"/> a month, when set); paid spend
/// on other models of at least <see cref="MinSpend"/> over the trailing <see cref="SpendDays"/>
/// days with an account at least <see cref="MinAccountAgeDays"/> days old (when a spend
/// threshold is set); or an unexpired invitation (when <see cref="Invitations"/> is on).
/// A gated model without a rule admits by contract or invitation only.
/// </summary>
public sealed record GateRule(string ModelId, decimal? MinCommitment, decimal? MinSpend, int SpendDays, int MinAccountAgeDays, bool Invitations)
{
    public const int DefaultSpendDays = 30;

    public static GateRule Default(string modelId) => new(modelId, null, null, DefaultSpendDays, 0, true);
}
