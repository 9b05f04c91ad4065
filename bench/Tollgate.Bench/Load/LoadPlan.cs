using System.Net;

namespace Tollgate.Bench.Load;

/// <summary>One load run against one endpoint: what to send, over how many connections, for how long.</summary>
internal sealed record LoadPlan(
    IPEndPoint Endpoint,
    byte[] Request,
    bool ExpectStreamEnd,
    int Connections,
    TimeSpan Warmup,
    TimeSpan Duration);

/// <summary>What a run measured. <see cref="Stats"/> holds every outcome; latencies only of the measured window.</summary>
internal sealed record LoadRun(LoadStats Stats, double MeasuredSeconds, double? IntendedRate, long NotSent);
