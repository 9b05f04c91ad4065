namespace Tollgate.Distillation;

/// <summary>
/// The running measures of one customer's day on one gated model. Keeps sketches (bounded), prefix
/// hashes and counts — never text. Observed under its own lock; gated traffic only.
/// </summary>
internal sealed class DayStats(int sketchesKept, double nearDuplicateSimilarity)
{
    private readonly Lock _lock = new();
    private readonly Queue<PromptSketch> _recent = new();
    private readonly Dictionary<ulong, int> _prefixes = [];
    private readonly Dictionary<long, int> _perMinute = [];
    private long _requests, _input, _output, _nearDuplicates, _manyCompletions, _logprobs;
    private int _inFlight, _peakConcurrency, _topPrefix;

    /// <summary>A request admitted: its prompt's sketch, its sampling settings, its minute.</summary>
    public void Admitted(PromptSketch sketch, int choices, bool logprobs, DateTimeOffset at)
    {
        lock (_lock)
        {
            _requests++;
            if (choices > 1) _manyCompletions++;
            if (logprobs) _logprobs++;
            foreach (var earlier in _recent)
            {
                if (sketch.Similarity(earlier) >= nearDuplicateSimilarity)
                {
                    _nearDuplicates++;
                    break;
                }
            }
            _recent.Enqueue(sketch);
            if (_recent.Count > sketchesKept) _recent.Dequeue();
            if (sketch.HasPrefix)
            {
                var count = _prefixes[sketch.Prefix] = _prefixes.GetValueOrDefault(sketch.Prefix) + 1;
                _topPrefix = Math.Max(_topPrefix, count);
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

    public DistillationSignals Signals()
    {
        lock (_lock)
        {
            var requests = Math.Max(_requests, 1);
            var activeMinutes = Math.Max(_perMinute.Count, 1);
            var peakMinute = _perMinute.Count == 0 ? 0 : _perMinute.Values.Max();
            return new DistillationSignals(_requests, _input, _output,
                _input == 0 ? 0 : Math.Round((double)_output / _input, 3),
                Math.Round((double)_nearDuplicates / requests, 3),
                Math.Round((double)_topPrefix / requests, 3),
                Math.Round((double)_manyCompletions / requests, 3),
                Math.Round((double)_logprobs / requests, 3),
                _peakConcurrency,
                // Peak minute over the mean of active minutes: 1 is steady, large is bursty.
                Math.Round(peakMinute / ((double)_requests / activeMinutes), 2));
        }
    }
}
