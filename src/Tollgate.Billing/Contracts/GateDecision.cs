using System.Globalization;

namespace Tollgate.Billing.Contracts;

/// <summary>Which path admitted a customer to a gated model. Stored and shown by name.</summary>
public enum GatePath
{
    Contract,
    Spend,
    Invitation,

    /// <summary>The customer's subscription plan includes the model: served only within the plan's allowance windows.</summary>
    Preview,
}

/// <summary>What is known about one customer when a gate is checked; all of it from memory.</summary>
/// <param name="Contract">The customer's contract in force now, if any.</param>
/// <param name="Invitation">The customer's valid invitation to this model, if any.</param>
/// <param name="QualifyingSpend">Paid spend on non-gated models over the rule's trailing days.</param>
/// <param name="AccountAgeDays">Whole days since the customer was created.</param>
/// <param name="PlanPreview">The customer's live subscription plan includes the model as a preview.</param>
public sealed record GateFacts(Contract? Contract, GateInvitation? Invitation, decimal QualifyingSpend, int AccountAgeDays, bool PlanPreview = false);

/// <summary>Whether a customer may call a gated model, by which path, and otherwise what each path still lacks.</summary>
public sealed record GateDecision(bool Allowed, GatePath? Via, IReadOnlyList<string> Missing)
{
    public static GateDecision Evaluate(GateRule rule, GateFacts facts, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(rule);
        ArgumentNullException.ThrowIfNull(facts);
        var missing = new List<string>(3);

        if (facts.Contract is { } contract && contract.Entitles(rule.ModelId, at))
        {
            if (rule.MinCommitment is not { } least || contract.MonthlyCommitment >= least) return new(true, GatePath.Contract, []);
            missing.Add(Text($"a contract committing at least ${Money.Display(least)} a month (yours commits ${Money.Display(contract.MonthlyCommitment)})"));
        }
        else
        {
            missing.Add(rule.MinCommitment is { } least
                ? Text($"an enterprise contract entitling {rule.ModelId} with a commitment of at least ${Money.Display(least)} a month")
                : $"an enterprise contract entitling {rule.ModelId}");
        }

        if (rule.MinSpend is { } threshold)
        {
            var spent = facts.QualifyingSpend >= threshold;
            var old = facts.AccountAgeDays >= rule.MinAccountAgeDays;
            if (spent && old) return new(true, GatePath.Spend, []);
            var needs = Text($"${Money.Display(threshold)} paid spend on other models in the last {rule.SpendDays} days (you have ${Money.Display(facts.QualifyingSpend)})");
            if (rule.MinAccountAgeDays > 0)
                needs += Text($" and an account at least {rule.MinAccountAgeDays} days old (yours is {facts.AccountAgeDays})");
            missing.Add(needs);
        }

        if (rule.Invitations)
        {
            if (facts.Invitation is { } invitation && invitation.IsValid(at) && invitation.ModelId == rule.ModelId) return new(true, GatePath.Invitation, []);
            missing.Add("an invitation from the operator");
        }
        return facts.PlanPreview ? new(true, GatePath.Preview, []) : new(false, null, missing);
    }

    /// <summary>The refusal's "how to qualify", one sentence naming every open path.</summary>
    public string HowToQualify => Missing.Count == 0 ? "" : $"Qualify with any of: {string.Join("; or ", Missing)}.";

    private static string Text(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
