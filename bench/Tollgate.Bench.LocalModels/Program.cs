using System.Diagnostics;
using System.Globalization;
using Tollgate.LocalModels.Embeddings;
using Tollgate.LocalModels.Llama;
using Tollgate.LocalModels.Tests.Infrastructure;

// Throughput of the in-process models, measured directly (no HTTP): embeddings per second of the
// built-in MiniLM model by batch size, and tokens per second of a GGUF model (the tiny test model,
// or the file given as the first argument). Usage: dotnet run -c Release --project bench/Tollgate.Bench.LocalModels [-- model.gguf]
var seconds = 5.0;
Console.WriteLine($"cores {Environment.ProcessorCount}; {seconds:0} s per measurement after a warm-up");

using (var embedder = new MiniLmEmbedder())
{
    var load = Stopwatch.StartNew();
    embedder.Warm();
    Console.WriteLine($"MiniLM load: {load.ElapsedMilliseconds} ms");
    // Sentences of 8–14 words, the size of a typical search query or short passage.
    var sentences = Enumerable.Range(0, 256).Select(i => $"invoice {i} for customer account shows usage of the embeddings model this month number {i % 7}").ToArray();
    foreach (var batch in (int[])[1, 8, 32, 128])
    {
        var texts = sentences.Take(batch).ToArray();
        embedder.Embed(texts, CancellationToken.None);
        var (done, elapsed) = Repeat(seconds, () => embedder.Embed(texts, CancellationToken.None).Length);
        Console.WriteLine($"MiniLM batch {batch,4}: {done / elapsed.TotalSeconds,8:0.0} embeddings/s ({elapsed.TotalMilliseconds / (done / batch):0.0} ms per call, {embedder.CountTokens(texts[0])} tokens per text)");
    }
}

var path = args.Length > 0 ? args[0] : TinyLlama.Write(Path.Combine(Path.GetTempPath(), $"tollgate-bench-tiny-{Environment.ProcessId}.gguf"));
using (var model = LlamaModel.Load(path, new LlamaLoadOptions(args.Length > 0 ? 2048 : TinyLlama.ContextLength)))
{
    var noEnd = model.EndOfSequenceToken is { } eos && args.Length == 0
        ? TinyLlama.EndTokens.ToDictionary(t => t, _ => -100f)
        : null;
    var prompt = model.ApplyTemplate([new ChatTurn("user", "Write one short sentence about toll gates.")]);
    var maxTokens = Math.Min(128, model.ContextSize - model.CountTokens(prompt) - 2);
    async Task<(int Tokens, TimeSpan FirstToken, TimeSpan Total)> OnceAsync(uint seed)
    {
        var started = Stopwatch.StartNew();
        await using var generation = await model.StartAsync(prompt, new GenerationOptions(maxTokens, [], Seed: seed, LogitBias: noEnd), CancellationToken.None);
        var first = TimeSpan.Zero;
        await foreach (var _ in generation.ReadAllAsync())
        {
            if (first == TimeSpan.Zero) first = started.Elapsed;
        }
        return (generation.CompletionTokens, first, started.Elapsed);
    }
    await OnceAsync(1);
    var runs = new List<(int Tokens, TimeSpan FirstToken, TimeSpan Total)>();
    var clock = Stopwatch.StartNew();
    for (uint seed = 2; clock.Elapsed.TotalSeconds < seconds; seed++) runs.Add(await OnceAsync(seed));
    var tokens = runs.Sum(r => r.Tokens);
    var decode = runs.Sum(r => (r.Total - r.FirstToken).TotalSeconds);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"GGUF {Path.GetFileName(path)}: {runs.Count} completions of up to {maxTokens} tokens, {tokens / clock.Elapsed.TotalSeconds:0} tokens/s overall, " +
        $"{(tokens - runs.Count) / decode:0} tokens/s while decoding, first token after {runs.Average(r => r.FirstToken.TotalMilliseconds):0.0} ms (prompt {model.CountTokens(prompt) + 1} tokens)"));
}

static (int Done, TimeSpan Elapsed) Repeat(double seconds, Func<int> work)
{
    var done = 0;
    var clock = Stopwatch.StartNew();
    while (clock.Elapsed.TotalSeconds < seconds) done += work();
    return (done, clock.Elapsed);
}
