namespace Tollgate.Distillation;

/// <summary>
/// Thresholds of the distillation watch (section <c>Distillation</c>). Each "High" is the level at
/// which a signal contributes its whole weight to the score; a day scoring at least
/// <see cref="FlagScore"/> raises a flag.
/// </summary>
internal sealed class DistillationOptions
{
    public const string Section = "Distillation";

    public bool Enabled { get; set; } = true;

    public double FlagScore { get; set; } = 60;

    public long MinRequests { get; set; } = 200;

    public long RequestsHigh { get; set; } = 5_000;

    /// <summary>Two prompts whose sketches agree at least this much count as near-duplicates.</summary>
    public double NearDuplicateSimilarity { get; set; } = 0.6;

    public double NearDuplicateShareHigh { get; set; } = 0.5;

    public double SharedPrefixShareHigh { get; set; } = 0.5;

    public double ManyCompletionsShareHigh { get; set; } = 0.3;

    public double LogprobsShareHigh { get; set; } = 0.5;

    public double OutputToInputRatioHigh { get; set; } = 8;

    /// <summary>How many recent sketches each customer's day compares a new prompt with.</summary>
    public int SketchesKept { get; set; } = 256;
}
