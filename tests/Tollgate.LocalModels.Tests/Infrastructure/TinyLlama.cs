using System.Globalization;

namespace Tollgate.LocalModels.Tests.Infrastructure;

/// <summary>
/// A tiny llama-architecture model with seeded random weights and a small SentencePiece-style
/// vocabulary (byte fallback, a few words, ChatML control tokens and a ChatML chat template),
/// written once per test run. Its text is noise: tests assert on counts and shapes, not words.
/// </summary>
internal static class TinyLlama
{
    public const int Embedding = 64;
    public const int Layers = 2;
    public const int Heads = 4;
    public const int FeedForward = 128;
    public const int ContextLength = 256;

    public const int EndOfSequence = 2;
    public const int ImEnd = 4;

    /// <summary>Both tokens that end generation: tests that want max_tokens reached ban them.</summary>
    public static readonly int[] EndTokens = [EndOfSequence, ImEnd];

    public const string ChatTemplate =
        "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}{% endfor %}" +
        "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}";

    private static readonly string[] Words = ["▁the", "▁cat", "▁sat", "▁on", "▁mat", "▁hello", "▁world", "▁token", "er", "in", "an", "on"];

    private static readonly Lazy<string> File = new(() => Write(Path.Combine(Path.GetTempPath(), "tollgate-tests", $"tiny-llama-{Guid.NewGuid():N}.gguf")));

    /// <summary>The path of the model file, written on first use.</summary>
    public static string ModelPath => File.Value;

    public static string Write(string path)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        var tokens = new List<string> { "<unk>", "<s>", "</s>", "<|im_start|>", "<|im_end|>" };
        var types = new List<int> { 2, 3, 3, 3, 3 };
        for (var b = 0; b < 256; b++)
        {
            tokens.Add($"<0x{b.ToString("X2", CultureInfo.InvariantCulture)}>");
            types.Add(6);
        }
        tokens.Add("▁");
        types.Add(1);
        for (var c = 'a'; c <= 'z'; c++)
        {
            tokens.Add(c.ToString());
            types.Add(1);
        }
        foreach (var word in Words)
        {
            tokens.Add(word);
            types.Add(1);
        }
        var scores = tokens.Select((t, i) => types[i] == 1 ? (float)t.Length : 0f).ToArray();
        var vocabulary = tokens.Count;
        var random = new Random(20261129);
        float[] Weights(long count, float scale) => [.. Enumerable.Range(0, (int)count).Select(_ => (float)(random.NextDouble() * 2 - 1) * scale)];
        float[] Ones(int count) => [.. Enumerable.Repeat(1f, count)];

        var gguf = new GgufWriter()
            .Add("general.architecture", "llama")
            .Add("general.name", "tollgate-tiny-test")
            .Add("llama.context_length", (uint)ContextLength)
            .Add("llama.embedding_length", (uint)Embedding)
            .Add("llama.block_count", (uint)Layers)
            .Add("llama.feed_forward_length", (uint)FeedForward)
            .Add("llama.attention.head_count", (uint)Heads)
            .Add("llama.attention.head_count_kv", (uint)Heads)
            .Add("llama.attention.layer_norm_rms_epsilon", 1e-5f)
            .Add("llama.rope.dimension_count", (uint)(Embedding / Heads))
            .Add("tokenizer.ggml.model", "llama")
            .Add("tokenizer.ggml.tokens", tokens)
            .Add("tokenizer.ggml.scores", scores)
            .Add("tokenizer.ggml.token_type", types)
            .Add("tokenizer.ggml.unknown_token_id", 0u)
            .Add("tokenizer.ggml.bos_token_id", 1u)
            .Add("tokenizer.ggml.eos_token_id", (uint)EndOfSequence)
            .Add("tokenizer.ggml.add_bos_token", true)
            .Add("tokenizer.ggml.add_eos_token", false)
            .Add("tokenizer.chat_template", ChatTemplate);
        gguf.Tensor("token_embd.weight", [Embedding, vocabulary], Weights((long)Embedding * vocabulary, 0.5f));
        gguf.Tensor("output_norm.weight", [Embedding], Ones(Embedding));
        gguf.Tensor("output.weight", [Embedding, vocabulary], Weights((long)Embedding * vocabulary, 0.5f));
        for (var layer = 0; layer < Layers; layer++)
        {
            var name = $"blk.{layer}.";
            gguf.Tensor(name + "attn_norm.weight", [Embedding], Ones(Embedding));
            foreach (var part in (string[])["attn_q", "attn_k", "attn_v", "attn_output"])
                gguf.Tensor(name + part + ".weight", [Embedding, Embedding], Weights(Embedding * Embedding, 0.2f));
            gguf.Tensor(name + "ffn_norm.weight", [Embedding], Ones(Embedding));
            gguf.Tensor(name + "ffn_gate.weight", [Embedding, FeedForward], Weights(Embedding * FeedForward, 0.2f));
            gguf.Tensor(name + "ffn_up.weight", [Embedding, FeedForward], Weights(Embedding * FeedForward, 0.2f));
            gguf.Tensor(name + "ffn_down.weight", [FeedForward, Embedding], Weights(FeedForward * Embedding, 0.2f));
        }
        gguf.WriteTo(path);
        return path;
    }
}
