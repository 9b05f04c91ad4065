namespace Tollgate.Storage;

/// <summary>The first answer to a creating request, replayed to any retry that carries the same Idempotency-Key.</summary>
internal sealed record StoredResponse(string RequestHash, int? Status, string? ContentType, byte[]? Body);

internal interface IIdempotencyStore
{
    /// <summary>Claims the key for this request; returns the existing record instead when the key was used before.</summary>
    Task<StoredResponse?> ClaimAsync(string actor, string key, string requestHash, DateTimeOffset at, CancellationToken cancellationToken = default);

    Task CompleteAsync(string actor, string key, int status, string? contentType, byte[] body, CancellationToken cancellationToken = default);

    /// <summary>Frees a claim whose request failed without an answer worth replaying, so a retry can run.</summary>
    Task ReleaseAsync(string actor, string key, CancellationToken cancellationToken = default);
}
