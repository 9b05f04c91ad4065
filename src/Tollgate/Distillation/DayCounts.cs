namespace Tollgate.Distillation;

/// <summary>
/// The raw counts of a customer's day on a gated model, and its meaning sketches: what a day,
/// a trailing week, or a group of customers sharing a template is scored from, once summed.
/// </summary>
internal sealed record DayCounts(
    long Requests, long InputTokens, long OutputTokens, long NearDuplicates, long TopPrefix, long ManyCompletions, long Logprobs,
    int PeakConcurrency, int PeakMinute, int ActiveMinutes, int ActiveHours, IReadOnlyList<MeaningSketch> Meanings)
{
    /// <summary>Fewer sampled meanings than this say nothing about repetition.</summary>
    public const int MinMeanings = 8;

    public static DayCounts Sum(IReadOnlyCollection<DayCounts> days) =>
        new(days.Sum(d => d.Requests), days.Sum(d => d.InputTokens), days.Sum(d => d.OutputTokens), days.Sum(d => d.NearDuplicates),
            days.Sum(d => d.TopPrefix), days.Sum(d => d.ManyCompletions), days.Sum(d => d.Logprobs), days.Max(d => d.PeakConcurrency),
            days.Max(d => d.PeakMinute), days.Sum(d => d.ActiveMinutes), days.Sum(d => d.ActiveHours), [.. days.SelectMany(d => d.Meanings)]);

    public DistillationSignals Signals(double semanticSimilarity, int windowDays = 1, int sharedTemplateCustomers = 0)
    {
        var requests = Math.Max(Requests, 1);
        return new DistillationSignals(Requests, InputTokens, OutputTokens,
            InputTokens == 0 ? 0 : Math.Round((double)OutputTokens / InputTokens, 3),
            Share(NearDuplicates), Share(TopPrefix), Share(ManyCompletions), Share(Logprobs),
            PeakConcurrency,
            // Peak minute over the mean of active minutes: 1 is steady, large is bursty.
            ActiveMinutes == 0 ? 0 : Math.Round(PeakMinute / ((double)Requests / ActiveMinutes), 2),
            Meanings.Count < MinMeanings ? 0 : Math.Round(MeaningSketch.CloseShare(Meanings, semanticSimilarity), 3),
            Meanings.Count,
            Math.Round(ActiveHours / (24.0 * windowDays), 3),
            windowDays,
            sharedTemplateCustomers);

        double Share(long count) => Math.Round((double)count / requests, 3);
    }
}
