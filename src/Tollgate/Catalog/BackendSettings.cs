namespace Tollgate.Catalog;

/// <summary>
/// Backend configuration, stored as JSON. The upstream API key is never stored: only the
/// name of the environment variable holding it.
/// </summary>
internal sealed record BackendSettings
{
    /// <summary>Base URL of an OpenAI-compatible server, up to and including <c>/v1</c>.</summary>
    public string? BaseUrl { get; init; }

    /// <summary>Name of the environment variable that holds the upstream API key.</summary>
    public string? ApiKeyEnv { get; init; }

    /// <summary>The model name the backend knows; defaults to the public model id.</summary>
    public string? UpstreamModel { get; init; }

    /// <summary>Which request field carries the output cap: <c>max_completion_tokens</c> or <c>max_tokens</c>.</summary>
    public string CapParameter { get; init; } = "max_completion_tokens";

    /// <summary>Share of requests under the <c>weighted</c> routing policy, relative to the model's other backends.</summary>
    public int Weight { get; init; } = 1;

    /// <summary>Time allowed until the response headers arrive.</summary>
    public double FirstByteTimeoutSeconds { get; init; } = 60;

    /// <summary>Time allowed for the whole call, streams included.</summary>
    public double TotalTimeoutSeconds { get; init; } = 600;

    /// <summary>Simulator: delay before the first token.</summary>
    public double SimulatorTimeToFirstTokenMs { get; init; }

    /// <summary>Simulator: generation speed; 0 means as fast as possible.</summary>
    public double SimulatorTokensPerSecond { get; init; }

    /// <summary>Simulator: dimension of the embeddings it returns.</summary>
    public int SimulatorEmbeddingDimensions { get; init; } = 384;

    /// <summary>Llama: absolute path of the GGUF model file.</summary>
    public string? ModelPath { get; init; }

    /// <summary>Llama: tokens of context each request gets (prompt and reply), capped at what the model was trained for.</summary>
    public int ContextSize { get; init; } = 4096;

    /// <summary>Llama: CPU threads per request; null lets llama.cpp choose.</summary>
    public int? Threads { get; init; }

    /// <summary>In-process models: requests run at once.</summary>
    public int Concurrency { get; init; } = 1;

    /// <summary>In-process models: requests that may wait for a running slot; past that, 503 with retry-after.</summary>
    public int QueueLength { get; init; } = 16;
}
