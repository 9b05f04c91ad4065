using Tollgate.LocalModels.Embeddings;

namespace Tollgate.Distillation;

/// <summary>Turns sampled user turns into unit-length sentence vectors, off the request path. One implementation in production (MiniLM); tests may pass a cheaper one.</summary>
internal interface IPromptEmbedder
{
    float[][] Embed(IReadOnlyList<string> texts, CancellationToken cancellationToken);
}

/// <summary>The in-process MiniLM model the local embeddings backend serves, shared with it.</summary>
internal sealed class MiniLmPromptEmbedder(MiniLmEmbedder model) : IPromptEmbedder
{
    public float[][] Embed(IReadOnlyList<string> texts, CancellationToken cancellationToken) => model.Embed(texts, cancellationToken);
}
