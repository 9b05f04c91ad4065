using Tollgate.Catalog;

namespace Tollgate.Upstreams;

/// <summary>One call to one backend: the body is already rewritten for it.</summary>
internal sealed record BackendRequest(ModelOperation Operation, BackendEntry Backend, ReadOnlyMemory<byte> Body, bool Stream);
