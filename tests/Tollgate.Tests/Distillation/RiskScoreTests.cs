using Tollgate.Distillation;
using Xunit.Abstractions;

namespace Tollgate.Tests.Distillation;

/// <summary>A simulated day of each kind of traffic through the watch's measures and score, with the default thresholds.</summary>
public sealed class RiskScoreTests(ITestOutputHelper output)
{
    private static readonly DistillationOptions Defaults = new();
    private static readonly DateTimeOffset Morning = new(2026, 11, 2, 8, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Compute_OrdinaryApplicationDay_NotFlagged()
    {
        var random = new Random(7);
        var day = new DayStats(Defaults, new Random(1));
        // 1,500 requests over ten hours, one completion each, answers about as long as the prompts.
        for (var i = 0; i < 1_500; i++)
        {
            day.Admitted(SyntheticTraffic.Ordinary(random), 1, logprobs: false, Morning.AddSeconds(i * 24));
            day.Completed(120, 150);
        }

        day.AddMeanings(new WordHashEmbedder().Embed(day.TakePending(), CancellationToken.None).Select(v => MeaningSketch.Of(v)));
        var signals = day.Signals(Defaults.SemanticSimilarity);
        var score = RiskScore.Compute(signals, Defaults);
        output.WriteLine($"ordinary: score {score}; {signals}");

        Assert.True(score < Defaults.FlagScore, $"score {score}: {signals}");
        Assert.True(signals.NearDuplicateShare < 0.2, signals.ToString());
    }

    [Fact]
    public void Compute_HarvestingDay_Flagged()
    {
        var day = new DayStats(Defaults, new Random(1));
        var embedder = new WordHashEmbedder();
        // 3,000 templated prompts in two hours, four completions each, long answers, half asking for log probabilities.
        for (var i = 0; i < 3_000; i++)
        {
            day.Admitted(SyntheticTraffic.Harvesting(i), 4, logprobs: i % 2 == 0, Morning.AddSeconds(i * 2.4));
            day.Completed(60, 4 * 600);
            // The review pass, once a minute.
            if (i % 25 == 0) day.AddMeanings(embedder.Embed(day.TakePending(), CancellationToken.None).Select(v => MeaningSketch.Of(v)));
        }

        var signals = day.Signals(Defaults.SemanticSimilarity);
        var score = RiskScore.Compute(signals, Defaults);
        output.WriteLine($"harvesting: score {score}; {signals}");

        Assert.True(score >= Defaults.FlagScore, $"score {score}: {signals}");
        Assert.True(signals.NearDuplicateShare > 0.9, signals.ToString());
        Assert.True(signals.SharedPrefixShare > 0.9, signals.ToString());
        Assert.True(signals.SemanticDuplicateShare > 0.9, signals.ToString());
        Assert.Equal(Defaults.MeaningSamples, signals.MeaningSamples);
    }

    [Fact]
    public void Compute_FewRequests_Zero()
    {
        var day = new DayStats(Defaults, new Random(1));
        for (var i = 0; i < 50; i++) day.Admitted(SyntheticTraffic.Harvesting(i), 8, logprobs: true, Morning);

        Assert.Equal(0, RiskScore.Compute(day.Signals(Defaults.SemanticSimilarity), Defaults));
    }
}
