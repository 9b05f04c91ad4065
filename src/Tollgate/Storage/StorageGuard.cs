namespace Tollgate.Storage;

/// <summary>
/// The gateway's trip switch for storage faults. A usage commit that fails, any other database call
/// that fails because the storage itself is broken (<see cref="StorageFaults"/>, reported through
/// <see cref="StorageFaultWatch"/>), or a database that is gone or replaced trips it: readiness fails
/// and new requests are refused before anything is forwarded, so at most the requests already in
/// flight go unrecorded. A usage commit or <see cref="StorageProbe"/>'s write check clears a write
/// fault once a write succeeds; an identity fault clears only when the database is the right one again.
/// </summary>
internal sealed partial class StorageGuard(Hosting.GatewayMetrics metrics, ILogger<StorageGuard> logger)
{
    /// <summary>What a client is told to wait before retrying a refused request.</summary>
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(5);

    private readonly Lock _gate = new();
    private string? _writeFault;
    private string? _identityFault;

    public bool Tripped => Volatile.Read(ref _writeFault) is not null || Volatile.Read(ref _identityFault) is not null;

    /// <summary>Why the gateway is tripped, for readiness and logs; null when it is not.</summary>
    public string? Fault => Volatile.Read(ref _identityFault) ?? Volatile.Read(ref _writeFault);

    /// <summary>A usage commit failed, whatever the cause: usage is not being recorded, so nothing new is served until a write succeeds.</summary>
    public void CommitFailed(Exception exception) =>
        WriteFailed($"usage could not be committed: {StorageFaults.Describe(exception) ?? "the commit failed"} ({exception.GetType().Name}: {exception.Message})", exception);

    /// <summary>
    /// Any other database call failed. Only a broken storage trips the gateway: a constraint, a lock
    /// another writer held or a bad value is the caller's to answer, and trips nothing.
    /// </summary>
    public void CallFailed(Exception exception)
    {
        if (StorageFaults.Describe(exception) is { } fault)
            WriteFailed($"a database call failed: {fault} ({exception.GetType().Name}: {exception.Message})", exception);
    }

    /// <summary>A usage commit or the write check succeeded: the storage takes writes again.</summary>
    public void CommitSucceeded()
    {
        if (Volatile.Read(ref _writeFault) is null) return;
        lock (_gate)
        {
            var wasTripped = Tripped;
            _writeFault = null;
            if (wasTripped && !Tripped) Recover();
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

    private void WriteFailed(string reason, Exception exception)
    {
        lock (_gate)
        {
            var wasTripped = Tripped;
            _writeFault ??= reason;
            if (!wasTripped) Trip(_writeFault, exception);
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
