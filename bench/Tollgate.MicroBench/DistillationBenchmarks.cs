using BenchmarkDotNet.Attributes;
using Tollgate.Distillation;

namespace Tollgate.MicroBench;

/// <summary>
/// Issue 9: what the distillation watch adds to a gated-model request — sketching the prompt,
/// and comparing the sketch with the day's kept sketches (256 by default) as the day fills up.
/// </summary>
public class DistillationBenchmarks
{
    private string _prompt = "";

    private const string Prompt =
        "You are a careful assistant. Read the customer's message below and draft a short, friendly reply that answers the question, " +
        "mentions the refund policy where relevant, and ends with an offer to help further. Message: my order arrived late and the box was " +
        "damaged; the blender inside works but the lid is cracked. Can I get a replacement lid or a partial refund? Order 48213, placed on the 3rd.";

    private DayStats _day = null!;
    private string[] _distinct = [];
    private int _next;
    private DateTimeOffset _at;

    [GlobalSetup]
    public void Setup()
    {
        var options = new DistillationOptions();
        // No meaning sample here: embedding happens off the request path, in the review pass.
        options.MeaningSamples = 0;
        _day = new DayStats(options, new Random(1));
        _at = new DateTimeOffset(2026, 11, 30, 9, 0, 0, TimeSpan.Zero);
        // A full window of unrelated sketches, the worst case for the near-duplicate search.
        for (var i = 0; i < options.SketchesKept; i++) _day.Admitted($"unrelated prompt number {i} about topic {i * 7919}", 1, false, _at);
        _prompt = Prompt;
        // Distinct prompts in turn, so each is compared with a whole window of non-duplicates (no early match).
        var random = new Random(42);
        _distinct = [.. Enumerable.Range(0, 4096).Select(_ =>
            string.Join(' ', Enumerable.Range(0, 60).Select(_ => random.Next(100_000).ToString(System.Globalization.CultureInfo.InvariantCulture))))];
    }

    [Benchmark]
    public ulong Sketch() => PromptSketch.Of(_prompt).Minima[0];

    [Benchmark]
    public void ObserveAgainstFullDay()
    {
        _day.Admitted(_distinct[_next++ & 4095], 1, false, _at);
        _day.Completed(100, 100);
    }
}
