using System.Net;

namespace Tollgate.Bench.Load;

/// <summary>
/// One load run: what to send (requests taken in turn, e.g. one per API key), to which addresses
/// (connections spread over them), over how many connections, for how long, and which status
/// counts as success.
/// </summary>
internal sealed record LoadPlan(
    IReadOnlyList<IPEndPoint> Endpoints,
    IReadOnlyList<byte[]> Requests,
    bool ExpectStreamEnd,
    int Connections,
    TimeSpan Warmup,
    TimeSpan Duration,
    int ExpectedStatus = 200)
{
    public LoadConnection Connection(int index) => new(Endpoints[index % Endpoints.Count], ExpectStreamEnd, ExpectedStatus);
}

/// <summary>What a run measured. <see cref="Stats"/> holds every outcome; latencies only of the measured window.</summary>
internal sealed record LoadRun(LoadStats Stats, double MeasuredSeconds, double? IntendedRate, long NotSent);
