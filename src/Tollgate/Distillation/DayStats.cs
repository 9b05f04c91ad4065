namespace Tollgate.Distillation;

/// <summary>
/// The running measures of one customer's day on one gated model: MinHash sketches of its user
/// turns (bounded), prefix and preamble hashes, counts, and meaning sketches of a sample of its
/// user turns. A sampled turn's text waits in memory only until the next review pass embeds it
/// (at most <see cref="DistillationOptions.MeaningSamplesPending"/> at a time) — never on disk.
/// Observed under its own lock; gated traffic only.
/// </summary>
internal sealed class DayStats(DistillationOptions options, Random sampling)
{
    private readonly Lock _lock = new();
    private readonly Queue<PromptSketch> _recent = new();
    private readonly Dictionary<ulong, int> _prefixes = [];
    private readonly Dictionary<long, int> _perMinute = [];
    private readonly RepeatedPreamble _preamble = new();
    private readonly List<string> _pending = [];
    private readonly List<MeaningSketch> _meanings = [];
    private long _requests, _input, _output, _nearDuplicates, _manyCompletions, _logprobs, _sampled;
    private int _inFlight, _peakConcurrency, _topPrefix;
    private bool _sealed;

    /// <summary>A request admitted: its user turn, its sampling settings, its minute. The text is sketched here and dropped, or held until the next pass when sampled.</summary>
    public void Admitted(string userTurn, int choices, bool logprobs, DateTimeOffset at)
    {
        lock (_lock)
        {
            _requests++;
            if (choices > 1) _manyCompletions++;
            if (logprobs) _logprobs++;
            var turn = _preamble.Strip(userTurn);
            var sketch = PromptSketch.Of(turn);
            if (_recent.Any(earlier => sketch.Similarity(earlier) >= options.NearDuplicateSimilarity)) _nearDuplicates++;
            _recent.Enqueue(sketch);
            if (_recent.Count > options.SketchesKept) _recent.Dequeue();
            if (sketch.HasPrefix)
            {
                var count = _prefixes[sketch.Prefix] = _prefixes.GetValueOrDefault(sketch.Prefix) + 1;
                _topPrefix = Math.Max(_topPrefix, count);
            }
            // Reservoir-style sample: the first turns, then each with a chance that shrinks as the day grows; at most
            // twice the sketches kept are ever embedded in a day, whatever its volume.
            if (options.MeaningSamples > 0 && _pending.Count < options.MeaningSamplesPending && !string.IsNullOrWhiteSpace(turn)
                && _sampled + _pending.Count < 2L * options.MeaningSamples
                && (_requests <= options.MeaningSamples || sampling.NextInt64(_requests) < options.MeaningSamples))
            {
                _pending.Add(turn);
            }
            var minute = at.ToUnixTimeSeconds() / 60;
            _perMinute[minute] = _perMinute.GetValueOrDefault(minute) + 1;
            _inFlight++;
            _peakConcurrency = Math.Max(_peakConcurrency, _inFlight);
        }
    }

    /// <summary>The request ended (served or not); tokens are what was metered.</summary>
    public void Completed(long input, long output)
    {
        lock (_lock)
        {
            _inFlight = Math.Max(0, _inFlight - 1);
            _input += input;
            _output += output;
        }
    }

    /// <summary>Requests admitted in the minute of <paramref name="at"/>, this one included: what a throttle compares.</summary>
    public int InMinute(DateTimeOffset at)
    {
        lock (_lock) return _perMinute.GetValueOrDefault(at.ToUnixTimeSeconds() / 60);
    }

    /// <summary>The sampled turns waiting to be embedded; the day forgets them.</summary>
    public List<string> TakePending()
    {
        lock (_lock)
        {
            var taken = new List<string>(_pending);
            _pending.Clear();
            return taken;
        }
    }

    /// <summary>Meaning sketches of embedded turns: kept up to <see cref="DistillationOptions.MeaningSamples"/>, a later one replacing a random earlier one.</summary>
    public void AddMeanings(IEnumerable<MeaningSketch> sketches)
    {
        lock (_lock)
        {
            foreach (var sketch in sketches)
            {
                _sampled++;
                if (_meanings.Count < options.MeaningSamples) _meanings.Add(sketch);
                else _meanings[sampling.Next(_meanings.Count)] = sketch;
            }
        }
    }

    /// <summary>The day is over: its text-derived working sets go (pending turns, MinHash window, hashes); counts and meaning sketches stay for the week.</summary>
    public void Seal()
    {
        lock (_lock)
        {
            if (_sealed) return;
            _sealed = true;
            _pending.Clear();
            _recent.Clear();
            _prefixes.Clear();
        }
    }

    public DayCounts Counts()
    {
        lock (_lock)
        {
            return new DayCounts(_requests, _input, _output, _nearDuplicates, _topPrefix, _manyCompletions, _logprobs, _peakConcurrency,
                _perMinute.Count == 0 ? 0 : _perMinute.Values.Max(), _perMinute.Count, _perMinute.Keys.Select(m => m / 60).Distinct().Count(), [.. _meanings]);
        }
    }

    public DistillationSignals Signals(double semanticSimilarity) => Counts().Signals(semanticSimilarity);
}
