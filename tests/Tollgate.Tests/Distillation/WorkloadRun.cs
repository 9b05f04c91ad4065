using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Tollgate.Distillation;

namespace Tollgate.Tests.Distillation;

/// <summary>
/// Plays a labelled workload through the watch on a fake clock, as the server would: the review
/// pass embeds what was sampled during the day, and scores at each day's end. What each end-of-day
/// pass saw is kept, so that one play (the costly part: embedding) can be judged under several settings.
/// </summary>
internal sealed class WorkloadRun
{
    public const string Model = "flag";

    private static readonly DateTimeOffset Start = new(2026, 11, 2, 0, 0, 0, TimeSpan.Zero);

    private readonly List<(DateOnly Today, List<(DayKey Key, DayCounts Counts)> Days)> _passes = [];

    private WorkloadRun()
    {
    }

    public static WorkloadRun Play(Workload workload, int seed, IPromptEmbedder embedder, DistillationOptions options)
    {
        var run = new WorkloadRun();
        var time = new FakeTimeProvider(Start);
        var watch = new DistillationWatch(Options.Create(options), time, samplingSeed: seed);
        var random = new Random(seed);
        for (var day = 0; day < workload.Days; day++)
        {
            var midnight = Start.AddDays(day);
            var lastPass = -1L;
            foreach (var request in workload.Day(random, day))
            {
                time.SetUtcNow(midnight + request.At);
                // The server's pass runs every minute; every quarter hour here embeds the same sample in fewer, larger batches.
                var pass = (long)request.At.TotalMinutes / 15;
                if (pass != lastPass)
                {
                    watch.EmbedPending(embedder, CancellationToken.None);
                    lastPass = pass;
                }
                watch.Observe(request.CustomerId, Model, request.UserTurn, request.Choices, request.Logprobs).Completed(request.InputTokens, request.OutputTokens);
            }
            // The first pass after the day's end.
            time.SetUtcNow(midnight.AddDays(1));
            watch.EmbedPending(embedder, CancellationToken.None);
            var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
            run._passes.Add((today, [.. watch.Days()]));
            watch.Age(today, WindowScoring.WeekStart(today, options));
        }
        return run;
    }

    /// <summary>The first day (1-based) whose end-of-day pass flags one of the workload's customers under <paramref name="options"/>, or null.</summary>
    public int? FirstFlagDay(DistillationOptions options)
    {
        for (var day = 0; day < _passes.Count; day++)
        {
            if (WindowScoring.Score(_passes[day].Days, _passes[day].Today, options).Count > 0) return day + 1;
        }
        return null;
    }

    /// <summary>
    /// The highest score of any window the passes saw — each day, each trailing week, and all the
    /// workload's customers taken together — flagged or not: how far a workload is from the threshold.
    /// </summary>
    public (double Score, DistillationSignals Signals) TopWindow(DistillationOptions options)
    {
        var windows = new List<DistillationSignals>();
        foreach (var (today, days) in _passes)
        {
            windows.AddRange(days.Select(d => d.Counts.Signals(options.SemanticSimilarity)));
            foreach (var customer in days.Select(d => d.Key.CustomerId).Distinct())
            {
                var week = days.Where(d => d.Key.CustomerId == customer && d.Key.Day >= WindowScoring.WeekStart(today, options)).Select(d => d.Counts).ToList();
                if (week.Count >= 2) windows.Add(DayCounts.Sum(week).Signals(options.SemanticSimilarity, options.WeekDays));
            }
            var everyone = days.Where(d => d.Key.Day == today.AddDays(-1)).Select(d => d.Counts).ToList();
            if (everyone.Count >= 2) windows.Add(DayCounts.Sum(everyone).Signals(options.SemanticSimilarity, 1, everyone.Count));
        }
        return windows.Select(s => (RiskScore.Compute(s, options), s)).MaxBy(w => w.Item1);
    }
}
