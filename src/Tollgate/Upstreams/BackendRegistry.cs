using System.Collections.Frozen;
using Tollgate.Catalog;

namespace Tollgate.Upstreams;

/// <summary>Finds the implementation for a backend's kind.</summary>
internal sealed class BackendRegistry(IEnumerable<IModelBackend> backends)
{
    private readonly FrozenDictionary<BackendKind, IModelBackend> _byKind = backends.ToFrozenDictionary(b => b.Kind);

    public IModelBackend For(BackendKind kind) =>
        _byKind.TryGetValue(kind, out var backend) ? backend : throw new InvalidOperationException($"No backend implementation for kind {kind}.");
}
