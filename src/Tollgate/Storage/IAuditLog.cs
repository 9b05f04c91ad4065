namespace Tollgate.Storage;

internal sealed record AuditFilter(string? TargetType = null, string? TargetId = null, string? Actor = null);

/// <summary>Reads the append-only audit log, newest first. Entries are written by the stores, inside each change's transaction.</summary>
internal interface IAuditLog
{
    Task<PageOf<AuditEntry>> ListAsync(AuditFilter filter, Page page, CancellationToken cancellationToken = default);
}
