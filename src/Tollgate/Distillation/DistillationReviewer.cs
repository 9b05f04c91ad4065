using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Options;
using Tollgate.Security;
using Tollgate.Storage;
using Tollgate.Webhooks;

namespace Tollgate.Distillation;

/// <summary>
/// Once a minute: embeds the user turns sampled since the last pass, then scores the watched
/// windows (<see cref="WindowScoring"/>). A window at or above the flag score raises one flag (once per customer, model and
/// day) and the <c>flag.raised</c> webhook. Days older than the week are dropped from memory.
/// </summary>
internal sealed partial class DistillationReviewer(
    DistillationWatch watch, IPromptEmbedder embedder, IFlagStore flags, WebhookOutbox outbox, IOptions<DistillationOptions> options, TimeProvider time,
    ILogger<DistillationReviewer> logger) : Hosting.PeriodicJob(time, logger)
{
    private readonly ConcurrentDictionary<DayKey, bool> _flagged = new();
    private readonly ConcurrentDictionary<(string CustomerId, string ModelId), DateOnly> _weekFlagged = new();

    protected override string Doing => "Scoring gated-model traffic for distillation";

    public async Task<int> ReviewAsync(CancellationToken cancellationToken = default)
    {
        if (!watch.Enabled) return 0;
        var o = options.Value;
        var now = Time.GetUtcNow();
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var yesterday = today.AddDays(-1);
        var weekStart = WindowScoring.WeekStart(today, o);
        if (o.MeaningSamples > 0) watch.EmbedPending(embedder, cancellationToken);
        var raised = 0;
        foreach (var verdict in WindowScoring.Score([.. watch.Days()], today, o))
        {
            var customer = (verdict.Key.CustomerId, verdict.Key.ModelId);
            // A drip is flagged once per week, not every day it goes on.
            if (verdict.OverWeek && _weekFlagged.TryGetValue(customer, out var flaggedOn) && flaggedOn >= weekStart) continue;
            if (verdict.OverWeek) _weekFlagged[customer] = today;
            if (await RaiseAsync(verdict.Key, verdict.Score, verdict.Signals, now, cancellationToken)) raised++;
        }

        watch.Age(today, weekStart);
        foreach (var key in _flagged.Keys.Where(k => k.Day < yesterday)) _flagged.TryRemove(key, out _);
        foreach (var (customer, _) in _weekFlagged.Where(w => w.Value < weekStart)) _weekFlagged.TryRemove(customer, out _);
        return raised;
    }

    protected override Task RunPassAsync(CancellationToken cancellationToken) => ReviewAsync(cancellationToken);

    private async Task<bool> RaiseAsync(DayKey key, double score, DistillationSignals signals, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (!_flagged.TryAdd(key, true)) return false;
        var flag = new DistillationFlag(RandomText.Id("flag_"), key.CustomerId, key.ModelId, key.Day, score, signals, FlagStatus.Open, null, now, now);
        if (!await flags.RaiseAsync(flag, cancellationToken)) return false;
        LogRaised(Logger, flag.Id, key.CustomerId, key.ModelId, score);
        var day = key.Day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        outbox.Post(WebhookEvent.Create(WebhookEventTypes.FlagRaised, new FlagRaisedData(flag.Id, key.CustomerId, key.ModelId, day, score, signals),
            DistillationJson.Default.FlagRaisedData, now, $"flag.raised:{flag.Id}"));
        return true;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Distillation flag {FlagId} raised for customer {CustomerId} on {ModelId}: score {Score}")]
    private static partial void LogRaised(ILogger logger, string flagId, string customerId, string modelId, double score);
}
