using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Tollgate.Distillation;

namespace Tollgate.Tests.Distillation;

/// <summary>Day, trailing week and shared-template windows, with the fast stand-in embedder (verbatim templates only).</summary>
public sealed class WindowScoringTests
{
    private static readonly DateTimeOffset Monday = new(2026, 11, 2, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Score_HarvestUnderTheDailyMinimum_FlaggedOverTheWeekOnItsSecondDay()
    {
        var (watch, time, options) = Watch();
        var random = new Random(5);
        Harvest(watch, time, "cus_drip", 199, random);
        Assert.Empty(WindowScoring.Score([.. watch.Days()], Today(time), options));

        time.SetUtcNow(Monday.AddDays(1));
        Harvest(watch, time, "cus_drip", 199, random);
        var verdict = Assert.Single(WindowScoring.Score([.. watch.Days()], Today(time), options));

        Assert.True(verdict.OverWeek);
        Assert.Equal(398, verdict.Signals.Requests);
        Assert.Equal(7, verdict.Signals.WindowDays);
    }

    [Fact]
    public void Score_TemplateSpreadOverFourCustomers_EachFlaggedWithTheGroupsEvidence()
    {
        var (watch, time, options) = Watch();
        var random = new Random(6);
        foreach (var customer in new[] { "cus_a", "cus_b", "cus_c", "cus_d" }) Harvest(watch, time, customer, 150, random);

        var verdicts = WindowScoring.Score([.. watch.Days()], Today(time), options);

        Assert.Equal(["cus_a", "cus_b", "cus_c", "cus_d"], verdicts.Select(v => v.Key.CustomerId).Order());
        Assert.All(verdicts, v => Assert.Equal((4, 600L), (v.Signals.SharedTemplateCustomers, v.Signals.Requests)));
    }

    [Fact]
    public void Score_FourCustomersOfVariedTrafficAtHarvestVolume_NoGroupNoFlag()
    {
        var (watch, time, options) = Watch();
        var random = new Random(7);
        foreach (var customer in new[] { "cus_a", "cus_b", "cus_c", "cus_d" })
        {
            for (var i = 0; i < 150; i++) watch.Observe(customer, "flag", SyntheticTraffic.Ordinary(random), 4, true).Completed(60, 2_400);
        }
        watch.EmbedPending(new WordHashEmbedder(), CancellationToken.None);

        Assert.Empty(WindowScoring.Score([.. watch.Days()], Today(time), options));
    }

    [Fact]
    public void Age_DayOver_TextWorkingSetsGoCountsAndMeaningsStay()
    {
        var (watch, time, options) = Watch();
        var day = watch.Observe("cus_a", "flag", "a sampled turn", 1, false);
        watch.EmbedPending(new WordHashEmbedder(), CancellationToken.None);
        watch.Observe("cus_a", "flag", "another sampled turn", 1, false);

        time.SetUtcNow(Monday.AddDays(1));
        watch.Age(Today(time), WindowScoring.WeekStart(Today(time), options));

        Assert.Empty(day.TakePending());
        Assert.Equal((2L, 1), (day.Counts().Requests, day.Counts().Meanings.Count));
        time.SetUtcNow(Monday.AddDays(8));
        watch.Age(Today(time), WindowScoring.WeekStart(Today(time), options));
        Assert.Empty(watch.Days());
    }

    [Fact]
    public void Observe_HeavyDay_EmbedsAtMostTwiceTheSample()
    {
        var (watch, _, options) = Watch();
        var embedded = 0;
        for (var i = 0; i < 20_000; i++)
        {
            watch.Observe("cus_a", "flag", $"turn {i}", 1, false);
            if (i % 50 == 0) embedded += watch.EmbedPending(new WordHashEmbedder(), CancellationToken.None);
        }
        embedded += watch.EmbedPending(new WordHashEmbedder(), CancellationToken.None);

        Assert.InRange(embedded, options.MeaningSamples, 2 * options.MeaningSamples);
    }

    private static (DistillationWatch, FakeTimeProvider, DistillationOptions) Watch()
    {
        var options = new DistillationOptions();
        var time = new FakeTimeProvider(Monday);
        return (new DistillationWatch(Options.Create(options), time, samplingSeed: 1), time, options);
    }

    private static DateOnly Today(TimeProvider time) => DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);

    /// <summary>The full pattern (template, n=4, log probabilities, long answers) with the review pass's embedding every 20 requests.</summary>
    private static void Harvest(DistillationWatch watch, FakeTimeProvider time, string customer, int count, Random random)
    {
        var start = time.GetUtcNow();
        for (var i = 0; i < count; i++)
        {
            time.SetUtcNow(start.AddSeconds(i * 60));
            watch.Observe(customer, "flag", LabelledWorkloads.Template(random), 4, true).Completed(60, 2_400);
            if (i % 20 == 0) watch.EmbedPending(new WordHashEmbedder(), CancellationToken.None);
        }
        watch.EmbedPending(new WordHashEmbedder(), CancellationToken.None);
    }
}
