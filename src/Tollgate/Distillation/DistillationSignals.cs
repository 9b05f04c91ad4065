namespace Tollgate.Distillation;

/// <summary>
/// One customer's traffic on one gated model over one UTC day, as the watch measures it — numbers
/// only, never text. These are a flag's evidence.
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
    double Burstiness);

/// <summary>
/// The documented risk score (0–100) of a day's signals: a weighted sum of how far each signal
/// goes toward the level that marks harvesting. Below <see cref="DistillationOptions.MinRequests"/>
/// requests a day the score is 0: too little traffic to copy a model with, or to judge by.
/// </summary>
internal static class RiskScore
{
    public static double Compute(DistillationSignals s, DistillationOptions o)
    {
        if (s.Requests < o.MinRequests) return 0;
        var score =
            30 * Toward(s.NearDuplicateShare, o.NearDuplicateShareHigh)
            + 20 * Toward(s.SharedPrefixShare, o.SharedPrefixShareHigh)
            + 20 * Toward(s.ManyCompletionsShare, o.ManyCompletionsShareHigh)
            + 10 * Toward(s.LogprobsShare, o.LogprobsShareHigh)
            + 10 * Toward(s.OutputToInputRatio, o.OutputToInputRatioHigh)
            + 10 * Toward(s.Requests, o.RequestsHigh);
        return Math.Round(score, 1);
    }

    private static double Toward(double value, double high) => high <= 0 ? 0 : Math.Clamp(value / high, 0, 1);
}
