using Tollgate.Billing.Contracts;
using Tollgate.Billing.Pricing;

namespace Tollgate.Tests.Billing.Contracts;

public sealed class GateDecisionTests
{
    private static readonly DateTimeOffset Now = new(2026, 5, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly GateRule Rule = new("flag", 1000m, 500m, 30, 14, true);

    private static Contract Contract(decimal commitment, params string[] models) =>
        new("ctr", "cus", Now.AddDays(-1), Now.AddDays(30), commitment, 0m, new Dictionary<string, TokenRates>(), models, Now.AddDays(-1));

    [Fact]
    public void Evaluate_ContractEntitlingWithEnoughCommitment_AdmitsByContract() =>
        Assert.Equal(GatePath.Contract, GateDecision.Evaluate(Rule, new(Contract(1000m, "flag"), null, 0m, 0), Now).Via);

    [Fact]
    public void Evaluate_ContractCommittingTooLittle_RefusedSayingSo()
    {
        var decision = GateDecision.Evaluate(Rule, new(Contract(999m, "flag"), null, 0m, 0), Now);

        Assert.False(decision.Allowed);
        Assert.Contains("a contract committing at least $1000.00 a month (yours commits $999.00)", decision.Missing);
    }

    [Fact]
    public void Evaluate_ContractNotEntitlingThisModel_NotAdmittedByContract() =>
        Assert.False(GateDecision.Evaluate(Rule, new(Contract(5000m, "other"), null, 0m, 0), Now).Allowed);

    [Theory]
    [InlineData(500, 14, true)]
    [InlineData(499.99, 14, false)]
    [InlineData(500, 13, false)]
    public void Evaluate_SpendAndAge_BothNeeded(decimal spend, int age, bool allowed)
    {
        var decision = GateDecision.Evaluate(Rule, new(null, null, spend, age), Now);

        Assert.Equal(allowed, decision.Allowed);
        if (allowed) Assert.Equal(GatePath.Spend, decision.Via);
    }

    [Fact]
    public void Evaluate_InvitationValidExpiredOrRevoked_OnlyValidAdmits()
    {
        var invitation = new GateInvitation("i", "cus", "flag", Now.AddDays(1), null, Now.AddDays(-1));

        Assert.Equal(GatePath.Invitation, GateDecision.Evaluate(Rule, new(null, invitation, 0m, 0), Now).Via);
        Assert.False(GateDecision.Evaluate(Rule, new(null, invitation, 0m, 0), Now.AddDays(1)).Allowed);
        Assert.False(GateDecision.Evaluate(Rule, new(null, invitation with { RevokedAt = Now }, 0m, 0), Now).Allowed);
        Assert.False(GateDecision.Evaluate(Rule with { Invitations = false }, new(null, invitation, 0m, 0), Now).Allowed);
    }

    [Fact]
    public void HowToQualify_NothingHeld_NamesEveryOpenPath()
    {
        var decision = GateDecision.Evaluate(Rule, new(null, null, 12.5m, 3), Now);

        Assert.Equal(
            "Qualify with any of: an enterprise contract entitling flag with a commitment of at least $1000.00 a month; " +
            "or $500.00 paid spend on other models in the last 30 days (you have $12.50) and an account at least 14 days old (yours is 3); " +
            "or an invitation from the operator.",
            decision.HowToQualify);
    }
}
