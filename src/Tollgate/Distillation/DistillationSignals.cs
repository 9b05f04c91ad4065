namespace Tollgate.Distillation;

/// <summary>
/// One customer's traffic on one gated model over a window (a UTC day, or the trailing week), as
/// the watch measures it — numbers only, never text. These are a flag's evidence.
/// <see cref="SharedTemplateCustomers"/> is set when the evidence is a group of customers asking
/// the same thing (the group's traffic together).
/// </summary>
internal sealed record DistillationSignals(
    long Requests,
    long InputTokens,
    long OutputTokens,
    double OutputToInputRatio,
    double NearDuplicateShare,
    double SharedPrefixShare,
    double ManyCompletionsShare,
    double LogprobsShare,
    int PeakConcurrency,
    double Burstiness,
    double SemanticDuplicateShare = 0,
    int MeaningSamples = 0,
    double ActiveHoursShare = 0,
    int WindowDays = 1,
    int SharedTemplateCustomers = 0);

/// <summary>
/// The documented risk score (0–100) of a window's signals: a weighted sum of how far each signal
/// goes toward the level that marks harvesting. Below <see cref="DistillationOptions.MinRequests"/>
/// requests in the window the score is 0: too little traffic to copy a model with, or to judge by.
/// </summary>
internal static class RiskScore
{
    public static double Compute(DistillationSignals s, DistillationOptions o)
    {
        if (s.Requests < o.MinRequests) return 0;
        var score =
            30 * Toward(s.SemanticDuplicateShare, o.SemanticDuplicateShareHigh)
            + 10 * Toward(s.NearDuplicateShare, o.NearDuplicateShareHigh)
            + 5 * Toward(s.SharedPrefixShare, o.SharedPrefixShareHigh)
            + 15 * Toward(s.ManyCompletionsShare, o.ManyCompletionsShareHigh)
            + 10 * Toward(s.LogprobsShare, o.LogprobsShareHigh)
            + 25 * Toward(s.OutputToInputRatio, o.OutputToInputRatioHigh)
            + 5 * Toward(s.ActiveHoursShare, o.ActiveHoursShareHigh);
        return Math.Round(score, 1);
    }

    private static double Toward(double value, double high) => high <= 0 ? 0 : Math.Clamp(value / high, 0, 1);
}
