using LLama;
using LLama.Native;
using LLama.Sampling;

namespace Tollgate.LocalModels.Llama;

/// <summary>
/// One completion being generated: each enumeration step samples a token, decodes it and yields
/// the text that is safe to send. Generation runs only while the caller reads, so a slow or
/// departed client holds no CPU. Counts and the finish reason are final once enumeration ends.
/// </summary>
public sealed class LlamaGeneration : IAsyncDisposable
{
    private readonly LlamaModel _model;
    private readonly LLamaContext _context;
    private readonly LLamaBatch _batch;
    private readonly GenerationOptions _options;
    private int _returned;

    internal LlamaGeneration(LlamaModel model, LLamaContext context, LLamaBatch batch, int promptTokens, GenerationOptions options)
    {
        _model = model;
        _context = context;
        _batch = batch;
        _options = options;
        PromptTokens = promptTokens;
    }

    public int PromptTokens { get; }

    /// <summary>Tokens sampled for the reply, the end-of-generation token excluded.</summary>
    public int CompletionTokens { get; private set; }

    /// <summary><c>stop</c> (end of sequence or a stop sequence) or <c>length</c> (max tokens or a full context).</summary>
    public string FinishReason { get; private set; } = "length";

    public async IAsyncEnumerable<string> ReadAllAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var sampler = Sampler();
        var decoder = new StreamingTokenDecoder(_context);
        var stops = new StopScanner(_options.Stop);
        var vocab = _model.Weights.Vocab;
        var position = PromptTokens;
        while (CompletionTokens < _options.MaxTokens)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var token = sampler.Sample(_context.NativeHandle, _batch.TokenCount - 1);
            if (token.IsEndOfGeneration(vocab))
            {
                FinishReason = "stop";
                break;
            }
            CompletionTokens++;
            decoder.Add(token);
            var (safe, stopped) = stops.Push(decoder.Read());
            if (safe.Length > 0) yield return safe;
            if (stopped)
            {
                FinishReason = "stop";
                yield break;
            }
            if (CompletionTokens == _options.MaxTokens || position + 1 >= _model.ContextSize) break;
            _batch.Clear();
            _batch.Add(token, position++, LLamaSeqId.Zero, true);
            var result = await _context.DecodeAsync(_batch, cancellationToken).ConfigureAwait(false);
            if (result != DecodeResult.Ok) throw new InvalidOperationException($"llama.cpp failed to decode ({result}).");
        }
        var rest = stops.Flush();
        if (rest.Length > 0) yield return rest;
    }

    private DefaultSamplingPipeline Sampler()
    {
        var bias = new Dictionary<LLamaToken, float>();
        foreach (var (token, value) in _options.LogitBias ?? new Dictionary<int, float>())
        {
            // OpenAI's -100 bans a token; llama.cpp bans only at negative infinity.
            bias[(LLamaToken)token] = value <= -100 ? float.NegativeInfinity : value;
        }
        return new DefaultSamplingPipeline
        {
            Temperature = _options.Temperature,
            TopP = _options.TopP,
            TopK = 0,
            MinP = 0,
            RepeatPenalty = 1,
            Seed = _options.Seed ?? (uint)Random.Shared.Next(),
            LogitBias = bias,
        };
    }

    public ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _returned, 1) == 0) _model.Return(_context);
        return ValueTask.CompletedTask;
    }
}
