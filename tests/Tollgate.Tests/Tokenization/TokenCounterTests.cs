using Microsoft.ML.Tokenizers;
using Tollgate.Tokenization;

namespace Tollgate.Tests.Tokenization;

public sealed class TokenCounterTests
{
    [Fact]
    public void For_ManyFirstCallersAtOnce_BuildsTheEncodingOnce()
    {
        // A cold server's first burst: every request asks for the same encoding before any build has finished.
        var builds = 0;
        var counter = new TokenCounter(name =>
        {
            Interlocked.Increment(ref builds);
            Thread.Sleep(200);
            return TiktokenTokenizer.CreateForEncoding(name);
        });
        using var start = new Barrier(16);
        var tokenizers = new Tokenizer[16];
        var threads = Enumerable.Range(0, 16).Select(i => new Thread(() =>
        {
            start.SignalAndWait();
            tokenizers[i] = counter.For(TokenCounter.DefaultEncoding);
        })).ToList();

        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());

        Assert.Equal(1, builds);
        Assert.All(tokenizers, t => Assert.Same(tokenizers[0], t));
    }
}
