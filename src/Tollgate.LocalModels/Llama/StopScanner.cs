namespace Tollgate.LocalModels.Llama;

/// <summary>
/// Holds back generated text that could still become a stop sequence, so a stop sequence never
/// reaches the client (OpenAI's behaviour) even when it arrives split across tokens.
/// </summary>
internal sealed class StopScanner(IReadOnlyList<string> stops)
{
    private string _pending = "";

    /// <summary>Adds text; returns what is safe to send, and whether a stop sequence was found.</summary>
    public (string Safe, bool Stopped) Push(string text)
    {
        _pending += text;
        if (stops.Count == 0)
        {
            var all = _pending;
            _pending = "";
            return (all, false);
        }
        var cut = -1;
        foreach (var stop in stops)
        {
            var at = _pending.IndexOf(stop, StringComparison.Ordinal);
            if (at >= 0 && (cut < 0 || at < cut)) cut = at;
        }
        if (cut >= 0)
        {
            var before = _pending[..cut];
            _pending = "";
            return (before, true);
        }
        var keep = stops.Max(HeldFor);
        var safe = _pending[..^keep];
        _pending = _pending[^keep..];
        return (safe, false);
    }

    /// <summary>What is still held when generation ends without a stop sequence.</summary>
    public string Flush()
    {
        var rest = _pending;
        _pending = "";
        return rest;
    }

    /// <summary>The longest tail of the pending text that is a proper prefix of <paramref name="stop"/>.</summary>
    private int HeldFor(string stop)
    {
        for (var length = Math.Min(stop.Length - 1, _pending.Length); length > 0; length--)
        {
            if (_pending.AsSpan(_pending.Length - length).SequenceEqual(stop.AsSpan(0, length))) return length;
        }
        return 0;
    }
}
