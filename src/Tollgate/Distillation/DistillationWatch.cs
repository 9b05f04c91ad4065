using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Tollgate.Gateway;

namespace Tollgate.Distillation;

/// <summary>
/// Watches traffic on gated models, per customer, model and UTC day, from the request stream:
/// each admitted user turn is sketched (<see cref="PromptSketch"/>) and dropped, or — for a
/// sample — held until the next review pass turns it into a <see cref="MeaningSketch"/>. Only
/// sketches, hashes and counts stay, in memory, for the trailing week.
/// </summary>
internal sealed class DistillationWatch(IOptions<DistillationOptions> options, TimeProvider time, int? samplingSeed = null)
{
    private readonly ConcurrentDictionary<DayKey, DayStats> _days = new();
    private readonly int _seed = samplingSeed ?? RandomNumberGenerator.GetInt32(int.MaxValue);

    public bool Enabled => options.Value.Enabled;

    /// <summary>Called at admission of a request to a gated model; its disposal records the end.</summary>
    public void Admitted(GatewayRequest request)
    {
        if (!Enabled) return;
        var root = request.Body.RootElement;
        var logprobs = root.TryGetProperty("logprobs", out var lp) && lp.ValueKind == JsonValueKind.True
                       || root.TryGetProperty("top_logprobs", out var top) && top.ValueKind == JsonValueKind.Number;
        request.Watched = Observe(request.Customer.Id, request.Model.Id, UserTurn.Of(root), request.Choices, logprobs);
    }

    /// <summary>One request's measures into its customer's day; the day, to record its end on.</summary>
    public DayStats Observe(string customerId, string modelId, string userTurn, int choices, bool logprobs)
    {
        var now = time.GetUtcNow();
        var key = new DayKey(customerId, modelId, DateOnly.FromDateTime(now.UtcDateTime));
        var stats = _days.GetOrAdd(key, static (k, state) => new DayStats(state.Options, new Random(state.Seed ^ StableHash(k))), (Options: options.Value, Seed: _seed));
        stats.Admitted(userTurn, choices, logprobs, now);
        return stats;
    }

    /// <summary>
    /// Embeds the turns sampled since the last pass, in one batch, and keeps only their meaning
    /// sketches. Off the request path; the cost is bounded by the per-day sample.
    /// </summary>
    public int EmbedPending(IPromptEmbedder embedder, CancellationToken cancellationToken)
    {
        var work = _days.Values.Select(d => (Day: d, Texts: d.TakePending())).Where(w => w.Texts.Count > 0).ToList();
        var texts = work.SelectMany(w => w.Texts).ToList();
        if (texts.Count == 0) return 0;
        var vectors = embedder.Embed(texts, cancellationToken);
        var next = 0;
        foreach (var (day, dayTexts) in work)
        {
            day.AddMeanings(vectors.Skip(next).Take(dayTexts.Count).Select(v => MeaningSketch.Of(v)));
            next += dayTexts.Count;
        }
        return texts.Count;
    }

    /// <summary>The day's own sampling sequence: string hash codes differ between processes, this does not.</summary>
    private static int StableHash(DayKey key)
    {
        var h = 0x811c9dc5u;
        foreach (var c in $"{key.CustomerId}|{key.ModelId}|{key.Day.DayNumber}") h = (h ^ c) * 0x01000193u;
        return (int)(h & int.MaxValue);
    }

    /// <summary>Every day watched, with its counts now.</summary>
    public IEnumerable<(DayKey Key, DayCounts Counts)> Days() => _days.Select(d => (d.Key, d.Value.Counts()));

    /// <summary>Seals days before <paramref name="today"/> (their text-derived working sets go) and drops days before <paramref name="oldestKept"/>.</summary>
    public void Age(DateOnly today, DateOnly oldestKept)
    {
        foreach (var (key, stats) in _days)
        {
            if (key.Day < oldestKept) _days.TryRemove(key, out _);
            else if (key.Day < today) stats.Seal();
        }
    }
}

internal readonly record struct DayKey(string CustomerId, string ModelId, DateOnly Day);
