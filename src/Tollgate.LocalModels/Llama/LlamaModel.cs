using System.Collections.Concurrent;
using LLama;
using LLama.Common;
using LLama.Native;

namespace Tollgate.LocalModels.Llama;

/// <summary>
/// A GGUF model loaded in-process. The weights are shared; each running request gets a context
/// (its own KV cache) from a small pool, so concurrent requests never share state.
/// </summary>
public sealed class LlamaModel : IDisposable
{
    /// <summary>Used when the file carries no chat template, as llama.cpp's own server does.</summary>
    public const string FallbackTemplate = "chatml";

    private readonly LLamaWeights _weights;
    private readonly ModelParams _parameters;
    private readonly ConcurrentBag<LLamaContext> _idle = [];
    private readonly bool _hasTemplate;

    private LlamaModel(string path, LLamaWeights weights, ModelParams parameters)
    {
        Path = path;
        _weights = weights;
        _parameters = parameters;
        _hasTemplate = weights.Metadata.ContainsKey("tokenizer.chat_template");
    }

    public string Path { get; }

    public int ContextSize => (int)_parameters.ContextSize!.Value;

    public int VocabularySize => _weights.Vocab.Count;

    /// <summary>The end-of-sequence token, for callers that want to ban it with a logit bias.</summary>
    public int? EndOfSequenceToken => _weights.Vocab.EOS is { } eos ? (int)eos : null;

    public static LlamaModel Load(string path, LlamaLoadOptions options)
    {
        if (GgufFile.Problem(path) is { } problem) throw new LlamaLoadException($"model_path {problem}");
        LlamaRuntime.EnsureConfigured();
        var parameters = new ModelParams(path)
        {
            ContextSize = (uint)options.ContextSize,
            Threads = options.Threads,
            GpuLayerCount = 0,
        };
        var (weights, error, log) = LlamaRuntime.Capture(() => LLamaWeights.LoadFromFile(parameters));
        if (weights is null)
        {
            var reason = log.Length > 0 ? log : error?.Message ?? "no reason given";
            throw new LlamaLoadException($"llama.cpp could not load '{path}': {reason}", error);
        }
        // A context longer than the model was trained for only produces nonsense past that point.
        if (weights.ContextSize > 0 && options.ContextSize > weights.ContextSize) parameters.ContextSize = (uint)weights.ContextSize;
        return new LlamaModel(path, weights, parameters);
    }

    /// <summary>Tokens of <paramref name="text"/> with the model's own tokenizer (special tokens parsed, no BOS).</summary>
    public int CountTokens(string text) => text.Length == 0 ? 0 : _weights.Tokenize(text, false, true, System.Text.Encoding.UTF8).Length;

    /// <summary>The conversation rendered by the model's chat template, ready for the assistant's reply.</summary>
    public string ApplyTemplate(IReadOnlyList<ChatTurn> turns)
    {
        var template = _hasTemplate ? new LLamaTemplate(_weights, strict: true) : new LLamaTemplate(FallbackTemplate);
        foreach (var turn in turns) template.Add(turn.Role, turn.Content);
        template.AddAssistant = true;
        return LlamaRuntime.Utf8(template.Apply());
    }

    /// <summary>
    /// Reads the prompt into a context (the slow part before the first token) and returns the
    /// generation, which produces tokens as it is enumerated.
    /// </summary>
    public async Task<LlamaGeneration> StartAsync(string prompt, GenerationOptions options, CancellationToken cancellationToken)
    {
        var tokens = _weights.Tokenize(prompt, _weights.Vocab.ShouldAddBOS, true, System.Text.Encoding.UTF8);
        if (tokens.Length == 0) throw new LlamaRequestException("The prompt is empty.");
        if (tokens.Length >= ContextSize)
            throw new LlamaRequestException($"The prompt is {tokens.Length} tokens; this model's context holds {ContextSize}.");
        var context = Rent();
        try
        {
            var batch = new LLamaBatch();
            var step = (int)context.BatchSize;
            for (var start = 0; start < tokens.Length; start += step)
            {
                cancellationToken.ThrowIfCancellationRequested();
                batch.Clear();
                var count = Math.Min(step, tokens.Length - start);
                batch.AddRange(tokens.AsSpan(start, count), start, LLamaSeqId.Zero, start + count == tokens.Length);
                var result = await context.DecodeAsync(batch, cancellationToken).ConfigureAwait(false);
                if (result != DecodeResult.Ok) throw new LlamaRequestException($"llama.cpp could not read the prompt ({result}).");
            }
            return new LlamaGeneration(this, context, batch, tokens.Length, options);
        }
        catch
        {
            Return(context);
            throw;
        }
    }

    internal LLamaWeights Weights => _weights;

    internal void Return(LLamaContext context)
    {
        context.NativeHandle.MemoryClear(true);
        _idle.Add(context);
    }

    private LLamaContext Rent() => _idle.TryTake(out var context) ? context : _weights.CreateContext(_parameters);

    public void Dispose()
    {
        while (_idle.TryTake(out var context)) context.Dispose();
        _weights.Dispose();
    }
}
