using Tollgate.Catalog;
using Tollgate.LocalModels.Embeddings;

namespace Tollgate.Upstreams.Local;

/// <summary>
/// Loads the built-in embeddings model in the background at start when the catalog uses it, so
/// the first customer request does not wait seconds for the model to load.
/// </summary>
internal sealed partial class LocalModelWarmup(CatalogState catalog, MiniLmEmbedder embedder, ILogger<LocalModelWarmup> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var used = catalog.Current.Models.Values.Any(m => m.Backends.Any(b => b.Kind == BackendKind.LocalEmbeddings));
        if (!used) return;
        try
        {
            await Task.Run(embedder.Warm, stoppingToken);
            LogWarmed(logger, MiniLmEmbedder.ModelName);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Not fatal: the first request loads it again and reports the failure there.
            LogWarmFailed(logger, MiniLmEmbedder.ModelName, ex.GetType().Name);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Embeddings model {Model} loaded")]
    private static partial void LogWarmed(ILogger logger, string model);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Embeddings model {Model} could not be loaded at start ({Error})")]
    private static partial void LogWarmFailed(ILogger logger, string model, string error);
}
