namespace Tollgate.Upstreams;

internal enum ModelOperation
{
    ChatCompletions,
    Embeddings,
}
