using System.Collections.Concurrent;
using Microsoft.ML.Tokenizers;

namespace Tollgate.Tokenization;

/// <summary>
/// Counts tokens with a model's own tokenizer (tiktoken encodings). Used where a backend's
/// numbers are missing, absurd or cut off, and by the simulator.
/// </summary>
internal sealed class TokenCounter
{
    public const string DefaultEncoding = "o200k_base";
    public static readonly IReadOnlyList<string> KnownEncodings = ["o200k_base", "cl100k_base"];

    private readonly ConcurrentDictionary<string, Tokenizer> _tokenizers = new(StringComparer.Ordinal);

    public static bool IsKnown(string encoding) => KnownEncodings.Contains(encoding, StringComparer.Ordinal);

    public Tokenizer For(string encoding) =>
        _tokenizers.GetOrAdd(IsKnown(encoding) ? encoding : DefaultEncoding, static name => TiktokenTokenizer.CreateForEncoding(name));

    public int Count(string encoding, ReadOnlySpan<char> text) => text.IsEmpty ? 0 : For(encoding).CountTokens(text);
}
