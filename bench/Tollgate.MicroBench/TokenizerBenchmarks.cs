using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Tollgate.Tokenization;

namespace Tollgate.MicroBench;

/// <summary>Counting tokens locally (o200k_base): plain text, and a whole chat request's input.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "Disposed in [GlobalCleanup], which BenchmarkDotNet calls.")]
public class TokenizerBenchmarks
{
    private const string Encoding = TokenCounter.DefaultEncoding;
    private readonly TokenCounter _counter = new();
    private JsonDocument _body = null!;

    [GlobalSetup]
    public void Setup()
    {
        _body = JsonDocument.Parse(Samples.ChatBody);
        _counter.Count(Encoding, "warm up the encoding");
    }

    [GlobalCleanup]
    public void Cleanup() => _body.Dispose();

    /// <summary>TokenCounter.Count on about 900 characters.</summary>
    [Benchmark]
    public int Count900Chars() => _counter.Count(Encoding, Samples.Text900);

    /// <summary>ChatTokenEstimator.CountInput on the chat body (four messages, ~1 KB of text).</summary>
    [Benchmark]
    public long CountChatInput() => ChatTokenEstimator.CountInput(_counter, Encoding, _body.RootElement);
}
