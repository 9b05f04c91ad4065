using System.Collections.Concurrent;

namespace Tollgate.Bench.Load;

/// <summary>
/// Open loop at a fixed rate: request i is due at start + i / rate whatever happened before, and
/// its latency runs from that due time, not from when it was actually sent. A stall therefore
/// shows in every request it delayed (no coordinated omission), as wrk2 measures.
/// One dedicated thread paces and sends (with a fine-grained sleep, since runtime timers tick in
/// milliseconds); responses are read asynchronously on a pool of keep-alive connections.
/// </summary>
internal static class OpenLoopGenerator
{
    /// <summary>How long past the end a target that fell behind may keep sending its backlog.</summary>
    private static readonly TimeSpan BacklogGrace = TimeSpan.FromSeconds(2);

    /// <summary>How long responses still in flight at the end are awaited.</summary>
    private static readonly TimeSpan DrainLimit = TimeSpan.FromSeconds(15);

    public static async Task<LoadRun> RunAsync(LoadPlan plan, double rate, CancellationToken cancellationToken)
    {
        // First in, first out: every connection takes its turn, so load spreads over all the target's instances.
        var idle = new ConcurrentQueue<LoadConnection>();
        var all = new List<LoadConnection>();
        for (var i = 0; i < plan.Connections; i++)
        {
            var connection = plan.Connection(i);
            await connection.ConnectAsync(cancellationToken);
            all.Add(connection);
            idle.Enqueue(connection);
        }
        using var available = new SemaphoreSlim(plan.Connections, plan.Connections);
        var pacer = new Pacer(plan, rate, idle, available, cancellationToken);
        var thread = new Thread(pacer.Run) { IsBackground = true, Name = "open-loop pacer" };
        thread.Start();
        await pacer.Finished.Task;

        // Every request that was sent is awaited (within a limit), so billed requests are all counted.
        var drained = true;
        for (var i = 0; i < plan.Connections; i++)
        {
            if (!await available.WaitAsync(DrainLimit, cancellationToken))
            {
                drained = false;
                break;
            }
        }
        var stats = new LoadStats();
        stats.Add(pacer.Stats);
        foreach (var connection in all)
        {
            connection.Dispose();
            if (drained) stats.Add(connection.Stats);
        }
        if (!drained) throw new TimeoutException($"responses were still outstanding {DrainLimit.TotalSeconds:0}s after the open-loop run ended");
        return new LoadRun(stats, plan.Duration.TotalSeconds, rate, pacer.NotSent);
    }

    private sealed class Pacer(LoadPlan plan, double rate, ConcurrentQueue<LoadConnection> idle, SemaphoreSlim available, CancellationToken cancellationToken)
    {
        public TaskCompletionSource Finished { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Requests never sent because the target fell too far behind; their wait so far is recorded.</summary>
        public LoadStats Stats { get; } = new();

        public long NotSent { get; private set; }

        public void Run()
        {
            try
            {
                Native.ReduceTimerSlack();
                var interval = 1e9 / rate;
                var start = Clock.Now();
                var measureFrom = start + (long)plan.Warmup.TotalNanoseconds;
                var end = measureFrom + (long)plan.Duration.TotalNanoseconds;
                var giveUp = end + (long)BacklogGrace.TotalNanoseconds;
                for (long i = 0; !cancellationToken.IsCancellationRequested; i++)
                {
                    var due = start + (long)(i * interval);
                    if (due >= end) break;
                    Clock.SleepUntil(due);
                    if (Clock.Now() >= giveUp || !WaitForConnection(giveUp))
                    {
                        RecordUnsent(i, start, interval, measureFrom, end);
                        break;
                    }
                    idle.TryDequeue(out var connection);
                    connection!.StartedAt = due;
                    connection.Measured = due >= measureFrom;
                    if (connection.TrySend(plan.Requests[(int)(i % plan.Requests.Count)]))
                    {
                        _ = CompleteAsync(connection);
                    }
                    else
                    {
                        connection.Stats.Count(RequestOutcome.IoError, connection.Measured, Clock.Now() - due);
                        _ = RecoverAsync(connection);
                    }
                }
                Finished.TrySetResult();
            }
            catch (Exception ex)
            {
                Finished.TrySetException(ex);
            }
        }

        private bool WaitForConnection(long giveUp)
        {
            var wait = TimeSpan.FromTicks(Math.Max(0, (giveUp - Clock.Now()) / 100));
            return available.Wait(wait, cancellationToken);
        }

        private void RecordUnsent(long from, long start, double interval, long measureFrom, long end)
        {
            var now = Clock.Now();
            for (var i = from; ; i++)
            {
                var due = start + (long)(i * interval);
                if (due >= end) break;
                NotSent++;
                if (due >= measureFrom) Stats.Latency.RecordValue(Math.Max(0, now - due));
            }
        }

        private async Task CompleteAsync(LoadConnection connection)
        {
            var outcome = await connection.ReceiveAsync(cancellationToken);
            connection.Stats.Count(outcome, connection.Measured, Clock.Now() - connection.StartedAt);
            if (outcome == RequestOutcome.IoError) await connection.RecoverAsync(cancellationToken);
            Release(connection);
        }

        private async Task RecoverAsync(LoadConnection connection)
        {
            await connection.RecoverAsync(cancellationToken);
            Release(connection);
        }

        private void Release(LoadConnection connection)
        {
            idle.Enqueue(connection);
            available.Release();
        }
    }
}
