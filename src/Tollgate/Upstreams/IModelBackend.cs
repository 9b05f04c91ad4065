using Tollgate.Catalog;

namespace Tollgate.Upstreams;

/// <summary>A kind of backend: forwards a rewritten OpenAI-format request and reports what came back.</summary>
internal interface IModelBackend
{
    BackendKind Kind { get; }

    /// <summary>Never throws for backend faults: they come back as <see cref="BackendFailure"/>.</summary>
    Task<BackendResponse> SendAsync(BackendRequest request, CancellationToken cancellationToken);
}
