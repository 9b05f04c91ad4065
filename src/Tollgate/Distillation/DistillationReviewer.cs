using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Options;
using Tollgate.Security;
using Tollgate.Storage;
using Tollgate.Webhooks;

namespace Tollgate.Distillation;

/// <summary>
/// Once a minute, scores every watched day; a day at or above the flag score raises one flag
/// (once per customer, model and day) and the <c>flag.raised</c> webhook. Days before yesterday are
/// dropped from memory.
/// </summary>
internal sealed partial class DistillationReviewer(
    DistillationWatch watch, IFlagStore flags, WebhookOutbox outbox, IOptions<DistillationOptions> options, TimeProvider time,
    ILogger<DistillationReviewer> logger) : Hosting.PeriodicJob(time, logger)
{
    private readonly ConcurrentDictionary<DayKey, bool> _flagged = new();

    protected override string Doing => "Scoring gated-model traffic for distillation";

    public async Task<int> ReviewAsync(CancellationToken cancellationToken = default)
    {
        if (!watch.Enabled) return 0;
        var now = Time.GetUtcNow();
        var raised = 0;
        foreach (var (key, signals) in watch.Days())
        {
            if (_flagged.ContainsKey(key)) continue;
            var score = RiskScore.Compute(signals, options.Value);
            if (score < options.Value.FlagScore) continue;
            var flag = new DistillationFlag(RandomText.Id("flag_"), key.CustomerId, key.ModelId, key.Day, score, signals, FlagStatus.Open, null, now, now);
            _flagged[key] = true;
            if (!await flags.RaiseAsync(flag, cancellationToken)) continue;
            raised++;
            LogRaised(Logger, flag.Id, key.CustomerId, key.ModelId, score);
            var day = key.Day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            outbox.Post(WebhookEvent.Create(WebhookEventTypes.FlagRaised, new FlagRaisedData(flag.Id, key.CustomerId, key.ModelId, day, score, signals),
                DistillationJson.Default.FlagRaisedData, now, $"flag.raised:{flag.Id}"));
        }
        var yesterday = DateOnly.FromDateTime(now.UtcDateTime).AddDays(-1);
        watch.Forget(yesterday);
        foreach (var key in _flagged.Keys.Where(k => k.Day < yesterday)) _flagged.TryRemove(key, out _);
        return raised;
    }

    protected override Task RunPassAsync(CancellationToken cancellationToken) => ReviewAsync(cancellationToken);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Distillation flag {FlagId} raised for customer {CustomerId} on {ModelId}: score {Score}")]
    private static partial void LogRaised(ILogger logger, string flagId, string customerId, string modelId, double score);
}
