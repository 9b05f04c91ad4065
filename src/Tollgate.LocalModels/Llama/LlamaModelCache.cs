using System.Collections.Concurrent;

namespace Tollgate.LocalModels.Llama;

/// <summary>
/// Loaded GGUF models, one per file and load options, shared by every backend that names them.
/// A failed load is not remembered: the next request tries again, so fixing the file is enough.
/// </summary>
public sealed class LlamaModelCache : IDisposable
{
    private readonly ConcurrentDictionary<(string Path, LlamaLoadOptions Options), Lazy<Task<LlamaModel>>> _models = new();

    public async Task<LlamaModel> GetAsync(string path, LlamaLoadOptions options)
    {
        var key = (path, options);
        var entry = _models.GetOrAdd(key, k => new Lazy<Task<LlamaModel>>(() => Task.Run(() => LlamaModel.Load(k.Path, k.Options))));
        try
        {
            return await entry.Value.ConfigureAwait(false);
        }
        catch
        {
            _models.TryRemove(new KeyValuePair<(string, LlamaLoadOptions), Lazy<Task<LlamaModel>>>(key, entry));
            throw;
        }
    }

    public void Dispose()
    {
        foreach (var entry in _models.Values)
        {
            if (entry.IsValueCreated && entry.Value.IsCompletedSuccessfully) entry.Value.Result.Dispose();
        }
        _models.Clear();
    }
}
