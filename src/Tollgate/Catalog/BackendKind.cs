namespace Tollgate.Catalog;

/// <summary>Stored as text; names frozen by a test.</summary>
internal enum BackendKind
{
    /// <summary>Any server speaking OpenAI's wire format.</summary>
    OpenAi,

    /// <summary>The built-in deterministic simulator, for demos and load tests.</summary>
    Simulator,

    /// <summary>The MiniLM sentence-embeddings model built in, run in-process on the CPU.</summary>
    LocalEmbeddings,

    /// <summary>A GGUF model file on this machine, run in-process by llama.cpp.</summary>
    Llama,

    /// <summary>Anthropic's Messages API (or a server speaking it): chat requests are translated to it and back.</summary>
    Anthropic,
}
