namespace Tollgate.Storage;

/// <summary>
/// Checks storage on a timer (real time, so a test's fake clock cannot stall it): that the
/// database file is still the one this node opened, and, while the gateway is tripped, that a write
/// commits again — so a node recovers by itself once the disk has room or the database is back.
/// </summary>
internal sealed partial class StorageProbe(StorageBackend storage, StorageGuard guard, ICatalogStore catalog, TimeProvider time, IConfiguration configuration,
    ILogger<StorageProbe> logger) : BackgroundService
{
    public const string IntervalSetting = "Storage:CheckInterval";
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(5);

    /// <summary>The settings row a write check updates; its value is the time of the last check.</summary>
    public const string WriteCheckSetting = "storage_write_check";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = configuration.GetValue(IntervalSetting, DefaultInterval);
        if (interval <= TimeSpan.Zero) interval = DefaultInterval;
        using var timer = new PeriodicTimer(interval, TimeProvider.System);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken)) await CheckAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>One check: the file's identity always; a write only while tripped (a healthy node writes nothing here).</summary>
    public async Task CheckAsync(CancellationToken cancellationToken)
    {
        var problem = await storage.CheckIdentityAsync(cancellationToken);
        guard.IdentityChecked(problem);
        if (problem is not null || !guard.Tripped) return;
        try
        {
            await catalog.SetSettingAsync(WriteCheckSetting, UnixTime.ToStored(time.GetUtcNow()).ToString(System.Globalization.CultureInfo.InvariantCulture),
                cancellationToken);
            guard.CommitSucceeded();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogWriteCheckFailed(logger, ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Storage write check failed; requests stay refused")]
    private static partial void LogWriteCheckFailed(ILogger logger, Exception exception);
}
