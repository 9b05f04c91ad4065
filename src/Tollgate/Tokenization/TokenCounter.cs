using System.Collections.Concurrent;
using Microsoft.ML.Tokenizers;

namespace Tollgate.Tokenization;

/// <summary>
/// Counts tokens with a model's own tokenizer (tiktoken encodings). Used where a backend's
/// numbers are missing, absurd or cut off, and by the simulator. Each encoding is built once:
/// building one takes tens of megabytes and noticeable time, so a burst of first requests must
/// wait for the one build rather than each start its own.
/// </summary>
internal sealed class TokenCounter(Func<string, Tokenizer> build)
{
    public const string DefaultEncoding = "o200k_base";
    public static readonly IReadOnlyList<string> KnownEncodings = ["o200k_base", "cl100k_base"];

    private readonly ConcurrentDictionary<string, Lazy<Tokenizer>> _tokenizers = new(StringComparer.Ordinal);

    public TokenCounter()
        : this(static name => TiktokenTokenizer.CreateForEncoding(name))
    {
    }

    public static bool IsKnown(string encoding) => KnownEncodings.Contains(encoding, StringComparer.Ordinal);

    public Tokenizer For(string encoding) =>
        _tokenizers.GetOrAdd(IsKnown(encoding) ? encoding : DefaultEncoding,
            name => new Lazy<Tokenizer>(() => build(name), LazyThreadSafetyMode.ExecutionAndPublication)).Value;

    public int Count(string encoding, ReadOnlySpan<char> text) => text.IsEmpty ? 0 : For(encoding).CountTokens(text);
}
