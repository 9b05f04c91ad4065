using System.Diagnostics;
using System.Globalization;
using Tollgate.Distillation;
using Tollgate.LocalModels.Embeddings;
using Xunit.Abstractions;

namespace Tollgate.Tests.Distillation;

/// <summary>
/// The labelled set through the watch with the real MiniLM model: under the default settings every
/// harvester is flagged in time and no honest app is. Prints the table docs/distillation.md shows,
/// and how detection and false positives move with the flag score and the meaning similarity.
/// </summary>
public sealed class DetectionCalibrationTests(ITestOutputHelper output)
{
    /// <summary>One run per class in CI (each costs real model time); docs/distillation.md's table was made with two.</summary>
    private const int Seeds = 1;

    [Fact]
    public void Score_LabelledSetWithMiniLm_EveryHarvesterFlaggedNoHonestApp()
    {
        using var model = new MiniLmEmbedder();
        var embedder = new CountingEmbedder(new MiniLmPromptEmbedder(model));
        var defaults = new DistillationOptions();
        var runs = LabelledWorkloads.All.Select(w => (Workload: w, Runs: Enumerable.Range(1, Seeds).Select(seed => WorkloadRun.Play(w, seed, embedder, defaults)).ToList()))
            .ToList();

        var failures = new List<string>();
        output.WriteLine("| workload | harvester | runs | flagged | top score | meaning dup | near-dup | out/in | days to flag |");
        output.WriteLine("|---|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var (workload, plays) in runs)
        {
            var days = plays.Select(p => p.FirstFlagDay(defaults)).ToList();
            var flagged = days.Count(d => d <= workload.DaysToFlag);
            var (score, top) = plays.Select(p => p.TopWindow(defaults)).MaxBy(t => t.Score);
            output.WriteLine($"| {workload.Name} | {(workload.Harvester ? "yes" : "no")} | {Seeds} | {flagged} | {score} | {top.SemanticDuplicateShare} | " +
                             $"{top.NearDuplicateShare} | {top.OutputToInputRatio} | {(flagged == 0 ? "–" : days.Max())} |");
            if (flagged != (workload.Harvester ? Seeds : 0)) failures.Add($"{workload.Name}: {flagged} of {Seeds} flagged");
        }
        output.WriteLine($"embedded {embedder.Texts} turns in {embedder.Elapsed.TotalSeconds:F1} s: " +
                         $"{(embedder.Elapsed.TotalMilliseconds / Math.Max(1, embedder.Texts)).ToString("F2", CultureInfo.InvariantCulture)} ms a turn");

        output.WriteLine("| flag score | meaning similarity | harvester runs flagged | honest runs flagged |");
        output.WriteLine("|---:|---:|---:|---:|");
        foreach (var similarity in new[] { 0.7, 0.75, 0.8, 0.85 })
        {
            foreach (var flagScore in new[] { 45.0, 50, 55, 60, 65 })
            {
                var o = new DistillationOptions { SemanticSimilarity = similarity, FlagScore = flagScore };
                var caught = runs.Where(r => r.Workload.Harvester).Sum(r => r.Runs.Count(p => p.FirstFlagDay(o) <= r.Workload.DaysToFlag));
                var wrong = runs.Where(r => !r.Workload.Harvester).Sum(r => r.Runs.Count(p => p.FirstFlagDay(o) is not null));
                output.WriteLine($"| {flagScore} | {similarity} | {caught} of {runs.Count(r => r.Workload.Harvester) * Seeds} | " +
                                 $"{wrong} of {runs.Count(r => !r.Workload.Harvester) * Seeds} |");
            }
        }

        Assert.Empty(failures);
    }

    /// <summary>
    /// Counts and times what the watch asks the model to embed. A text embedded before is answered from memory
    /// (the model is deterministic), so the repeats a harvester sends cost the test nothing; only new texts are timed.
    /// </summary>
    private sealed class CountingEmbedder(IPromptEmbedder inner) : IPromptEmbedder
    {
        private readonly Dictionary<string, float[]> _seen = new(StringComparer.Ordinal);

        public int Texts { get; private set; }

        public TimeSpan Elapsed { get; private set; }

        public float[][] Embed(IReadOnlyList<string> texts, CancellationToken cancellationToken)
        {
            var fresh = texts.Where(t => !_seen.ContainsKey(t)).Distinct(StringComparer.Ordinal).ToList();
            if (fresh.Count > 0)
            {
                var watch = Stopwatch.StartNew();
                var vectors = inner.Embed(fresh, cancellationToken);
                Elapsed += watch.Elapsed;
                Texts += fresh.Count;
                for (var i = 0; i < fresh.Count; i++) _seen[fresh[i]] = vectors[i];
            }
            return [.. texts.Select(t => _seen[t])];
        }
    }
}
