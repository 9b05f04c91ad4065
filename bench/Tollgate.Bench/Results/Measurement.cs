using HdrHistogram;

namespace Tollgate.Bench.Results;

/// <summary>One measurement: one target under one scenario and load shape, in one round.</summary>
internal sealed record Measurement(
    string Target,
    string Scenario,
    string Shape,
    int Round,
    string Generator,
    double Seconds,
    long Ok,
    long Errors,
    double RequestsPerSecond,
    Percentiles Latency,
    double? IntendedRate,
    long NotSent,
    double? TargetCpuUsPerRequest,
    double? MockCpuUsPerRequest,
    double MachineBusyPercent,
    double OtherLoadPercent,
    double TargetPeakRssMiB);

/// <summary>Latency percentiles in milliseconds.</summary>
internal sealed record Percentiles(double P50, double P90, double P99, double P999, double Max)
{
    public static Percentiles FromHistogram(HistogramBase histogram)
    {
        const double msPerNs = 1e-6;
        return histogram.TotalCount == 0
            ? new Percentiles(0, 0, 0, 0, 0)
            : new Percentiles(
                histogram.GetValueAtPercentile(50) * msPerNs,
                histogram.GetValueAtPercentile(90) * msPerNs,
                histogram.GetValueAtPercentile(99) * msPerNs,
                histogram.GetValueAtPercentile(99.9) * msPerNs,
                histogram.GetMaxValue() * msPerNs);
    }

    public static Percentiles Mean(IReadOnlyList<Percentiles> all) => new(
        all.Average(p => p.P50), all.Average(p => p.P90), all.Average(p => p.P99), all.Average(p => p.P999), all.Max(p => p.Max));

    public Percentiles Minus(Percentiles other) => new(P50 - other.P50, P90 - other.P90, P99 - other.P99, P999 - other.P999, Max - other.Max);
}
