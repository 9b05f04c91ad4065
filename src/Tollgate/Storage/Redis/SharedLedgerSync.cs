using Tollgate.Hosting;

namespace Tollgate.Storage.Redis;

/// <summary>
/// The leader's job that keeps Redis's copy of the books converging on the ledger: every interval it
/// asks PostgreSQL which customers had entries committed since its last look (a snapshot, so no
/// commit is missed however late it lands) and syncs their accounts. A charge whose settle never
/// reached Redis — a node cut off or killed between its commit and its settle — is applied here,
/// within one interval; any other difference is corrected, counted and logged.
/// </summary>
internal sealed partial class SharedLedgerSync(RedisAccounts accounts, ILedgerSnapshots ledger, ILeadership leadership, SharedOptions options,
    ILogger<SharedLedgerSync> logger) : BackgroundService
{
    private const int Batch = 200;

    private string? _since;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Real time: a test's frozen clock must not stop the books from converging.
        using var timer = new PeriodicTimer(options.SyncInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken)) await RoundAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>One round; the first after gaining leadership looks at every customer with an entry.</summary>
    internal async Task RoundAsync(CancellationToken cancellationToken = default)
    {
        if (!leadership.IsLeader)
        {
            _since = null;
            return;
        }
        try
        {
            var (customers, snapshot) = await ledger.ChangedSinceAsync(_since, cancellationToken);
            foreach (var batch in customers.Chunk(Batch)) await accounts.SyncCustomersAsync(batch, counted: true);
            _since = snapshot;
        }
        catch (Exception ex) when (ex is SharedStateUnavailableException or Npgsql.NpgsqlException or TimeoutException)
        {
            // Nothing is lost: the same snapshot is asked again next round.
            LogRoundFailed(logger, ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The ledger sync of the shared accounts failed this round; it retries next round")]
    private static partial void LogRoundFailed(ILogger logger, Exception exception);
}
