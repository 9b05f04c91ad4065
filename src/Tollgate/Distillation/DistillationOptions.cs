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

    public double FlagScore { get; set; } = 53;

    public long MinRequests { get; set; } = 200;

    /// <summary>Two prompts whose sketches agree at least this much count as near-duplicates.</summary>
    public double NearDuplicateSimilarity { get; set; } = 0.6;

    public double NearDuplicateShareHigh { get; set; } = 0.5;

    public double SharedPrefixShareHigh { get; set; } = 0.5;

    public double ManyCompletionsShareHigh { get; set; } = 0.3;

    public double LogprobsShareHigh { get; set; } = 0.5;

    public double OutputToInputRatioHigh { get; set; } = 8;

    /// <summary>How many recent sketches each customer's day compares a new prompt with.</summary>
    public int SketchesKept { get; set; } = 256;

    /// <summary>Two user turns whose sentence vectors' estimated cosine is at least this ask the same thing, in whatever words.</summary>
    public double SemanticSimilarity { get; set; } = 0.8;

    public double SemanticDuplicateShareHigh { get; set; } = 0.5;

    /// <summary>Meaning sketches kept per customer, model and day (a reservoir sample of its user turns); 0 turns the meaning signal off.</summary>
    public int MeaningSamples { get; set; } = 64;

    /// <summary>Sampled user turns waiting, in memory, for the next pass to embed them; more are not sampled until then.</summary>
    public int MeaningSamplesPending { get; set; } = 64;

    /// <summary>Share of the window's hours with traffic at which "no human rhythm" contributes its whole weight.</summary>
    public double ActiveHoursShareHigh { get; set; } = 0.9;

    /// <summary>The trailing window, in days, scored besides each day: a slow drip under <see cref="MinRequests"/> a day adds up here.</summary>
    public int WeekDays { get; set; } = 7;

    /// <summary>Two customers share a template when at least this share of each one's sampled turns has a close match in the other's.</summary>
    public double SharedTemplateShare { get; set; } = 0.5;
}
