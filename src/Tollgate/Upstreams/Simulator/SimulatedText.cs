using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Tollgate.Tokenization;

namespace Tollgate.Upstreams.Simulator;

/// <summary>
/// Deterministic text derived from the prompt: the same prompt and seed always give the same
/// words. Words are space-prefixed so each is its own pre-token for tiktoken encodings, which
/// makes the sum of per-word counts the exact count of the whole text.
/// </summary>
internal sealed class SimulatedText(TokenCounter counter)
{
    private static readonly string[] Words =
    [
        "the", "gateway", "meters", "every", "token", "and", "bills", "it", "exactly", "once", "model", "answer",
        "simulated", "response", "for", "your", "request", "with", "deterministic", "words", "that", "depend", "on",
        "prompt", "seed", "stream", "usage", "price", "cost", "margin", "customer", "key", "budget", "limit", "window",
        "ledger", "invoice", "balance", "credit", "fast", "quiet", "steady", "clear", "simple", "honest", "careful",
    ];

    /// <summary>
    /// Pieces of text with their token counts, drawn from a seed. Ends at <paramref name="maxTokens"/>
    /// (finish reason <c>length</c>) or just before the first stop sequence (finish reason <c>stop</c>).
    /// </summary>
    public SimulatedChoice Generate(string encoding, ulong seed, int maxTokens, IReadOnlyList<string> stop)
    {
        var random = new Random(unchecked((int)(seed ^ (seed >> 32))));
        var wanted = 12 + (int)(seed % 48);
        var pieces = new List<(string Piece, int Tokens)>();
        var total = 0;
        var truncated = false;
        for (var i = 0; i < wanted; i++)
        {
            var word = Words[random.Next(Words.Length)];
            var piece = i == 0 ? char.ToUpperInvariant(word[0]) + word[1..] : " " + word;
            if (i == wanted - 1) piece += ".";
            var tokens = counter.Count(encoding, piece);
            if (total + tokens > maxTokens)
            {
                truncated = true;
                break;
            }
            pieces.Add((piece, tokens));
            total += tokens;
        }
        return CutAtStop(encoding, pieces, stop) ?? new SimulatedChoice(pieces, truncated ? "length" : "stop");
    }

    public static ulong SeedOf(string text, long? requestSeed, int choice)
    {
        var hash = BinaryPrimitives.ReadUInt64LittleEndian(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
        return hash ^ (ulong)(requestSeed ?? 0) * 0x9E3779B97F4A7C15UL ^ (ulong)choice * 0xC2B2AE3D27D4EB4FUL;
    }

    private SimulatedChoice? CutAtStop(string encoding, List<(string Piece, int Tokens)> pieces, IReadOnlyList<string> stop)
    {
        if (stop.Count == 0) return null;
        var text = string.Concat(pieces.Select(p => p.Piece));
        var cut = stop.Where(s => s.Length > 0).Select(s => text.IndexOf(s, StringComparison.Ordinal)).Where(i => i >= 0).DefaultIfEmpty(-1).Min();
        if (cut < 0) return null;
        var kept = new List<(string Piece, int Tokens)>();
        var offset = 0;
        foreach (var (piece, tokens) in pieces)
        {
            if (offset + piece.Length <= cut)
            {
                kept.Add((piece, tokens));
            }
            else
            {
                if (cut > offset) kept.Add((piece[..(cut - offset)], counter.Count(encoding, piece.AsSpan(0, cut - offset))));
                break;
            }
            offset += piece.Length;
        }
        return new SimulatedChoice(kept, "stop");
    }
}

/// <summary>One generated choice: its pieces (each with its token count) and why it ended.</summary>
internal sealed record SimulatedChoice(IReadOnlyList<(string Piece, int Tokens)> Pieces, string FinishReason)
{
    public int Tokens => Pieces.Sum(p => p.Tokens);

    public string Text => string.Concat(Pieces.Select(p => p.Piece));
}
