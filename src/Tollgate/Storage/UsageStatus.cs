namespace Tollgate.Storage;

/// <summary>How a metered request ended. Stored as text; names frozen by a test.</summary>
internal enum UsageStatus
{
    /// <summary>The whole response reached the client.</summary>
    Completed,

    /// <summary>The client went away; what was forwarded is billed.</summary>
    ClientCancelled,

    /// <summary>The backend failed after the response started; what was forwarded is billed.</summary>
    UpstreamFailed,
}
