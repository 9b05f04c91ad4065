using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Tollgate.Hosting;

/// <summary>
/// Prometheus-facing instruments: requests, tokens, amounts and latency by model, backend and
/// status. Tag values are ids and codes only, never request content.
/// </summary>
internal sealed class GatewayMetrics : IDisposable
{
    public const string MeterName = "Tollgate.Gateway";

    private readonly Meter _meter;
    private readonly Counter<long> _requests;
    private readonly Counter<long> _tokens;
    private readonly Counter<double> _charged;
    private readonly Histogram<double> _duration;
    private readonly Histogram<double> _timeToFirstToken;
    private readonly Counter<long> _storageTrips;
    private readonly UpDownCounter<long> _storageTripped;
    private readonly Counter<long> _sharedCorrections;

    /// <summary>
    /// Bucket bounds in seconds that fit model latencies, from a cached answer in milliseconds to a long
    /// generation in minutes (the default bounds start at 5, which would put every ordinary request in one bucket).
    /// </summary>
    internal static readonly InstrumentAdvice<double> LatencyBuckets = new()
    {
        HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300, 600],
    };

    public GatewayMetrics(IMeterFactory meters)
    {
        _meter = meters.Create(MeterName);
        _requests = _meter.CreateCounter<long>("tollgate.requests", "{request}", "Data-plane requests by model, backend and outcome");
        _tokens = _meter.CreateCounter<long>("tollgate.tokens", "{token}", "Metered tokens by model and direction");
        // Metrics are for dashboards; the ledger holds the exact decimal amounts.
        _charged = _meter.CreateCounter<double>("tollgate.charged", "USD", "Amount charged to customers");
        _duration = _meter.CreateHistogram("tollgate.request.duration", "s", "Time from request to last byte", advice: LatencyBuckets);
        _timeToFirstToken = _meter.CreateHistogram("tollgate.time_to_first_token", "s", "Time from request to the first streamed token", advice: LatencyBuckets);
        _storageTrips = _meter.CreateCounter<long>("tollgate.storage.trips", "{trip}", "Times a storage fault stopped the gateway from taking new requests");
        _storageTripped = _meter.CreateUpDownCounter<long>("tollgate.storage.tripped", "{state}", "1 while a storage fault refuses new requests, else 0");
        _sharedCorrections = _meter.CreateCounter<long>("tollgate.shared.corrections", "{account}",
            "Shared (Redis) spend accounts the ledger sync found different from the ledger and corrected");
    }

    public void Completed(string model, string backend, int status, long inputTokens, long outputTokens, decimal charged, double seconds, double? ttftSeconds)
    {
        var tags = new TagList { { "model", model }, { "backend", backend }, { "status", status } };
        _requests.Add(1, tags);
        _duration.Record(seconds, tags);
        _tokens.Add(inputTokens, new TagList { { "model", model }, { "direction", "input" } });
        _tokens.Add(outputTokens, new TagList { { "model", model }, { "direction", "output" } });
        _charged.Add((double)charged, new TagList { { "model", model } });
        if (ttftSeconds is { } ttft) _timeToFirstToken.Record(ttft, new TagList { { "model", model }, { "backend", backend } });
    }

    public void Refused(string model, int status, string code) =>
        _requests.Add(1, new TagList { { "model", model }, { "backend", "none" }, { "status", status }, { "code", code } });

    /// <summary>The storage trip switch changed: <paramref name="tripped"/> true when it tripped, false when it recovered.</summary>
    public void StorageTripped(bool tripped)
    {
        if (tripped) _storageTrips.Add(1);
        _storageTripped.Add(tripped ? 1 : -1);
    }

    /// <summary>The ledger sync corrected <paramref name="accounts"/> shared accounts that had drifted from the ledger.</summary>
    public void SharedCorrected(int accounts) => _sharedCorrections.Add(accounts);

    public void Dispose() => _meter.Dispose();
}
