using Tollgate.LocalModels.Llama;
using Tollgate.LocalModels.Tests.Infrastructure;

namespace Tollgate.LocalModels.Tests.Llama;

/// <summary>The GGUF runtime on the tiny hand-written model: loading, templates, generation limits, usage.</summary>
public sealed class LlamaModelTests
{
    private static readonly Lazy<LlamaModel> Model = new(() => LlamaModel.Load(TinyLlama.ModelPath, new LlamaLoadOptions(TinyLlama.ContextLength)));

    private static Dictionary<int, float> NoEnd() => TinyLlama.EndTokens.ToDictionary(t => t, _ => -100f);

    [Fact]
    public void Load_HandWrittenGguf_ReadsVocabularyAndContext()
    {
        var model = Model.Value;

        Assert.Equal(TinyLlama.ContextLength, model.ContextSize);
        Assert.True(model.VocabularySize > 256);
        Assert.Equal(TinyLlama.EndOfSequence, model.EndOfSequenceToken);
    }

    [Fact]
    public void ApplyTemplate_ChatMlTemplateInFile_FramesEveryTurn()
    {
        var prompt = Model.Value.ApplyTemplate([new ChatTurn("system", "be brief"), new ChatTurn("user", "hello")]);

        Assert.Equal("<|im_start|>system\nbe brief<|im_end|>\n<|im_start|>user\nhello<|im_end|>\n<|im_start|>assistant\n", prompt);
    }

    [Fact]
    public async Task Generate_MaxTokens_StopsThereWithLength()
    {
        var prompt = Model.Value.ApplyTemplate([new ChatTurn("user", "the cat sat on the mat")]);
        await using var generation = await Model.Value.StartAsync(prompt, new GenerationOptions(12, [], Seed: 7, LogitBias: NoEnd()), CancellationToken.None);

        var pieces = new List<string>();
        await foreach (var piece in generation.ReadAllAsync()) pieces.Add(piece);

        Assert.Equal((12, "length"), (generation.CompletionTokens, generation.FinishReason));
        Assert.NotEmpty(pieces);
        Assert.Equal(Model.Value.CountTokens(prompt) + 1, generation.PromptTokens); // BOS added
    }

    [Fact]
    public async Task Generate_SameSeed_SameText()
    {
        var prompt = Model.Value.ApplyTemplate([new ChatTurn("user", "hello world")]);
        async Task<string> RunAsync(uint seed)
        {
            await using var generation = await Model.Value.StartAsync(prompt, new GenerationOptions(16, [], Seed: seed, LogitBias: NoEnd()), CancellationToken.None);
            var text = "";
            await foreach (var piece in generation.ReadAllAsync()) text += piece;
            return text;
        }

        Assert.Equal(await RunAsync(42), await RunAsync(42));
    }
}
