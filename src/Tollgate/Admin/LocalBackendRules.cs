using Tollgate.Billing.Catalog;
using Tollgate.Catalog;
using Tollgate.LocalModels.Llama;
using Tollgate.Storage;

namespace Tollgate.Admin;

/// <summary>
/// Checks the settings of in-process backends when they are configured, so a wrong path or an
/// impossible queue is a clear 400 now rather than a failing request later.
/// </summary>
internal static class LocalBackendRules
{
    public const int MaxConcurrency = 64;
    public const int MaxQueueLength = 10_000;
    public const int MinContextSize = 64;
    public const int MaxContextSize = 1 << 20;

    public static ApiErrorResult? Check(BackendKind kind, ModelKind modelKind, BackendDto dto, string param)
    {
        var local = kind is BackendKind.Llama or BackendKind.LocalEmbeddings;
        if (!local)
        {
            return dto.ModelPath is not null || dto.ContextSize is not null || dto.Threads is not null || dto.Concurrency is not null || dto.QueueLength is not null
                ? ApiErrorResult.Invalid("'model_path', 'context_size', 'threads', 'concurrency' and 'queue_length' are settings of in-process backends (llama, local_embeddings).", param)
                : null;
        }
        if (kind == BackendKind.LocalEmbeddings && modelKind != ModelKind.Embeddings)
            return ApiErrorResult.Invalid($"A '{StoredNames.Of(kind)}' backend serves an embeddings model: set the model's kind to 'embeddings'.", param + ".kind");
        if (kind == BackendKind.Llama && modelKind != ModelKind.Chat)
            return ApiErrorResult.Invalid($"A '{StoredNames.Of(kind)}' backend serves a chat model.", param + ".kind");
        if (dto.Concurrency is < 1 or > MaxConcurrency)
            return ApiErrorResult.Invalid($"'concurrency' must be from 1 to {MaxConcurrency}.", param + ".concurrency");
        if (dto.QueueLength is < 0 or > MaxQueueLength)
            return ApiErrorResult.Invalid($"'queue_length' must be from 0 to {MaxQueueLength}.", param + ".queue_length");
        if (kind == BackendKind.LocalEmbeddings)
        {
            return dto.ModelPath is not null || dto.ContextSize is not null || dto.Threads is not null
                ? ApiErrorResult.Invalid("The built-in embeddings model takes no 'model_path', 'context_size' or 'threads'.", param)
                : null;
        }
        if (GgufFile.Problem(dto.ModelPath) is { } problem)
            return ApiErrorResult.Invalid($"'model_path' {problem}.", param + ".model_path");
        if (dto.ContextSize is < MinContextSize or > MaxContextSize)
            return ApiErrorResult.Invalid($"'context_size' must be from {MinContextSize} to {MaxContextSize}.", param + ".context_size");
        if (dto.Threads is < 1 or > 256)
            return ApiErrorResult.Invalid("'threads' must be from 1 to 256.", param + ".threads");
        return null;
    }
}
