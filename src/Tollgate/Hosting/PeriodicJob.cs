namespace Tollgate.Hosting;

/// <summary>
/// A background job run at start and then every <see cref="Interval"/> on the injected clock. Given
/// a <paramref name="leadership"/>, it runs on the cluster's leader only (work on the shared books);
/// without one, on every node (a refresh of the node's own memory). A failed pass is logged and
/// retried at the next tick; shutdown ends the loop quietly.
/// </summary>
internal abstract partial class PeriodicJob(TimeProvider time, ILogger logger, ILeadership? leadership = null) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    protected TimeProvider Time { get; } = time;

    protected ILogger Logger { get; } = logger;

    /// <summary>What the job does, for its failure log line (e.g. "Expiring grants").</summary>
    protected abstract string Doing { get; }

    protected abstract Task RunPassAsync(CancellationToken cancellationToken);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, Time);
        do
        {
            try
            {
                if (leadership?.IsLeader ?? true) await RunPassAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogFailed(Logger, ex, Doing);
            }
        }
        while (await WaitAsync(timer, stoppingToken));
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "{Doing} failed; retrying at the next pass")]
    private static partial void LogFailed(ILogger logger, Exception exception, string doing);
}
