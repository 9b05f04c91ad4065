namespace Tollgate.Bench.Load;

/// <summary>
/// Closed loop, used when wrk is not installed: each connection sends its next request as soon as
/// the previous answer arrived, so it measures maximum throughput at a fixed concurrency.
/// Latency is from send to last byte (service time: a closed loop cannot see queueing it caused).
/// Requests started before the end are awaited, so every billed request is counted.
/// </summary>
internal static class ClosedLoopGenerator
{
    public static async Task<LoadRun> RunAsync(LoadPlan plan, CancellationToken cancellationToken)
    {
        var connections = new LoadConnection[plan.Connections];
        for (var i = 0; i < connections.Length; i++)
        {
            connections[i] = plan.Connection(i);
            await connections[i].ConnectAsync(cancellationToken);
        }
        var start = Clock.Now();
        var measureFrom = start + (long)plan.Warmup.TotalNanoseconds;
        var end = measureFrom + (long)plan.Duration.TotalNanoseconds;
        try
        {
            // Each connection starts at its own place in the requests, so many keys are all in use from the start.
            await Task.WhenAll(connections.Select((c, i) => Task.Run(() =>
                LoopAsync(c, plan.Requests, (int)((long)i * plan.Requests.Count / connections.Length), measureFrom, end, cancellationToken), cancellationToken)));
        }
        finally
        {
            foreach (var connection in connections) connection.Dispose();
        }
        var stats = new LoadStats();
        foreach (var connection in connections) stats.Add(connection.Stats);
        return new LoadRun(stats, plan.Duration.TotalSeconds, null, 0);
    }

    private static async Task LoopAsync(LoadConnection connection, IReadOnlyList<byte[]> requests, int next, long measureFrom, long end, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            var request = requests[next];
            next = (next + 1) % requests.Count;
            var sentAt = Clock.Now();
            if (sentAt >= end) return;
            var outcome = await connection.TrySendAsync(request, cancellationToken)
                ? await connection.ReceiveAsync(cancellationToken)
                : RequestOutcome.IoError;
            connection.Stats.Count(outcome, sentAt >= measureFrom, Clock.Now() - sentAt);
            if (outcome == RequestOutcome.IoError) await connection.RecoverAsync(cancellationToken);
        }
    }
}
