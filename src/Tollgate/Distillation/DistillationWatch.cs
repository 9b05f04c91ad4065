using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Tollgate.Gateway;

namespace Tollgate.Distillation;

/// <summary>
/// Watches traffic on gated models, per customer, model and UTC day, from the request stream:
/// each admitted prompt is sketched (<see cref="PromptSketch"/>) and dropped; only sketches,
/// hashes and counts stay, in memory, for today and yesterday.
/// </summary>
internal sealed class DistillationWatch(IOptions<DistillationOptions> options, TimeProvider time)
{
    private readonly ConcurrentDictionary<DayKey, DayStats> _days = new();

    public bool Enabled => options.Value.Enabled;

    /// <summary>Called at admission of a request to a gated model; its disposal records the end.</summary>
    public void Admitted(GatewayRequest request)
    {
        if (!Enabled) return;
        var now = time.GetUtcNow();
        var key = new DayKey(request.Customer.Id, request.Model.Id, DateOnly.FromDateTime(now.UtcDateTime));
        var o = options.Value;
        var stats = _days.GetOrAdd(key, static (_, o) => new DayStats(o.SketchesKept, o.NearDuplicateSimilarity), o);
        var root = request.Body.RootElement;
        var logprobs = root.TryGetProperty("logprobs", out var lp) && lp.ValueKind == JsonValueKind.True
                       || root.TryGetProperty("top_logprobs", out var top) && top.ValueKind == JsonValueKind.Number;
        stats.Admitted(PromptSketch.Of(PromptText(root)), request.Choices, logprobs, now);
        request.Watched = stats;
    }

    /// <summary>Every day watched, with its signals now.</summary>
    public IEnumerable<(DayKey Key, DistillationSignals Signals)> Days() => _days.Select(d => (d.Key, d.Value.Signals()));

    /// <summary>Drops days before <paramref name="oldestKept"/>: their flags, if any, are in storage.</summary>
    public void Forget(DateOnly oldestKept)
    {
        foreach (var key in _days.Keys)
        {
            if (key.Day < oldestKept) _days.TryRemove(key, out _);
        }
    }

    /// <summary>The text of every message (string contents and text parts), for sketching only.</summary>
    private static string PromptText(JsonElement root)
    {
        if (!root.TryGetProperty("messages", out var messages) || messages.ValueKind != JsonValueKind.Array) return "";
        var text = new StringBuilder();
        foreach (var message in messages.EnumerateArray())
        {
            if (!message.TryGetProperty("content", out var content)) continue;
            if (content.ValueKind == JsonValueKind.String) text.Append(content.GetString()).Append('\n');
            else if (content.ValueKind == JsonValueKind.Array)
            {
                foreach (var part in content.EnumerateArray())
                {
                    if (part.ValueKind == JsonValueKind.Object && part.TryGetProperty("text", out var t) && t.ValueKind == JsonValueKind.String)
                        text.Append(t.GetString()).Append('\n');
                }
            }
        }
        return text.ToString();
    }
}

internal readonly record struct DayKey(string CustomerId, string ModelId, DateOnly Day);
