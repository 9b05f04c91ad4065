namespace Tollgate.Storage;

/// <summary>
/// The gateway's trip switch for storage faults. A usage commit that fails, or a database file that
/// is gone or replaced, trips it: readiness fails and new requests are refused before anything is
/// forwarded, so at most the requests already in flight go unrecorded. Every usage writer reports
/// here; <see cref="StorageProbe"/> clears it once a write succeeds (and the file is the right one).
/// </summary>
internal sealed partial class StorageGuard(Hosting.GatewayMetrics metrics, ILogger<StorageGuard> logger)
{
    /// <summary>What a client is told to wait before retrying a refused request.</summary>
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(5);

    private readonly Lock _gate = new();
    private string? _commitFault;
    private string? _identityFault;

    public bool Tripped => Volatile.Read(ref _commitFault) is not null || Volatile.Read(ref _identityFault) is not null;

    /// <summary>Why the gateway is tripped, for readiness and logs; null when it is not.</summary>
    public string? Fault => Volatile.Read(ref _identityFault) ?? Volatile.Read(ref _commitFault);

    /// <summary>A usage commit (or a write check) failed: nothing new is served until one succeeds.</summary>
    public void CommitFailed(Exception exception)
    {
        lock (_gate)
        {
            var wasTripped = Tripped;
            _commitFault ??= $"usage could not be committed ({exception.GetType().Name}: {exception.Message})";
            if (!wasTripped) Trip(_commitFault, exception);
        }
    }

    /// <summary>A usage commit (or a write check) succeeded.</summary>
    public void CommitSucceeded()
    {
        if (Volatile.Read(ref _commitFault) is null) return;
        lock (_gate)
        {
            _commitFault = null;
            if (!Tripped) Recover();
        }
    }

    /// <summary>The database file's identity, checked: <paramref name="problem"/> null when it is the file the node opened.</summary>
    public void IdentityChecked(string? problem)
    {
        if (problem is null && Volatile.Read(ref _identityFault) is null) return;
        lock (_gate)
        {
            var wasTripped = Tripped;
            _identityFault = problem;
            if (problem is not null && !wasTripped) Trip(problem, null);
            else if (problem is null && wasTripped && !Tripped) Recover();
        }
    }

    /// <summary>The refusal a new request gets while tripped.</summary>
    public static Gateway.ApiError Refusal() => Gateway.ApiError.Unavailable(
        "Usage cannot be recorded right now, so no request is served (nothing was forwarded or charged). Retry after the time in the retry-after header.",
        "storage_unavailable");

    private void Trip(string reason, Exception? exception)
    {
        metrics.StorageTripped(true);
        LogTripped(logger, exception, reason);
    }

    private void Recover()
    {
        metrics.StorageTripped(false);
        LogRecovered(logger);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Storage fault: {Reason}. New requests are refused (503 storage_unavailable) and /readyz fails until a write succeeds")]
    private static partial void LogTripped(ILogger logger, Exception? exception, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Storage recovered: a write succeeded; requests are served again")]
    private static partial void LogRecovered(ILogger logger);
}
