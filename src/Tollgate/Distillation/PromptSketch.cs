namespace Tollgate.Distillation;

/// <summary>
/// What the distillation watch keeps of a prompt: a MinHash sketch of its word 3-shingles and a
/// hash of its first <see cref="PrefixChars"/> characters. Neither can be turned back into text,
/// and the text itself is never kept. Two prompts' sketches agree in about the share of slots that
/// their shingle sets' Jaccard similarity says.
/// </summary>
internal sealed class PromptSketch
{
    public const int Slots = 64;
    public const int ShingleWords = 3;
    public const int PrefixChars = 64;

    private static readonly ulong[] Seeds = MakeSeeds();

    private PromptSketch(ulong[] minima, ulong prefix, bool hasPrefix)
    {
        Minima = minima;
        Prefix = prefix;
        HasPrefix = hasPrefix;
    }

    public ulong[] Minima { get; }

    /// <summary>Hash of the prompt's first characters; only meaningful when the prompt is that long.</summary>
    public ulong Prefix { get; }

    public bool HasPrefix { get; }

    public static PromptSketch Of(ReadOnlySpan<char> text)
    {
        var minima = new ulong[Slots];
        Array.Fill(minima, ulong.MaxValue);
        Span<ulong> window = stackalloc ulong[ShingleWords];
        var words = 0;
        foreach (var word in Words(text))
        {
            window[words % ShingleWords] = word;
            words++;
            if (words >= ShingleWords) Add(minima, Combine(window, words));
        }
        // A prompt shorter than one shingle still gets a sketch: its words together.
        if (words is > 0 and < ShingleWords) Add(minima, Combine(window[..words], words));
        var hasPrefix = text.Length >= PrefixChars;
        return new PromptSketch(minima, hasPrefix ? Fnv(text[..PrefixChars]) : 0, hasPrefix);
    }

    /// <summary>The estimated Jaccard similarity of the two prompts' shingle sets.</summary>
    public double Similarity(PromptSketch other)
    {
        var same = 0;
        for (var i = 0; i < Slots; i++)
        {
            if (Minima[i] == other.Minima[i]) same++;
        }
        return (double)same / Slots;
    }

    private static void Add(ulong[] minima, ulong shingle)
    {
        for (var i = 0; i < Slots; i++)
        {
            var h = Mix(shingle ^ Seeds[i]);
            if (h < minima[i]) minima[i] = h;
        }
    }

    /// <summary>The shingle's hash, independent of where in the ring buffer its words sit.</summary>
    private static ulong Combine(ReadOnlySpan<ulong> window, int words)
    {
        var h = 0xcbf29ce484222325UL;
        var count = Math.Min(window.Length, words);
        for (var k = 0; k < count; k++)
        {
            var index = (words - count + k) % window.Length;
            h = Mix(h ^ window[index]);
        }
        return h;
    }

    /// <summary>Lower-cased words of letters and digits, hashed; punctuation and spacing do not matter.</summary>
    private static IEnumerable<ulong> Words(ReadOnlySpan<char> text)
    {
        var hashes = new List<ulong>();
        var h = 0xcbf29ce484222325UL;
        var inWord = false;
        foreach (var c in text)
        {
            if (char.IsLetterOrDigit(c))
            {
                h = (h ^ char.ToLowerInvariant(c)) * 0x100000001b3UL;
                inWord = true;
            }
            else if (inWord)
            {
                hashes.Add(h);
                h = 0xcbf29ce484222325UL;
                inWord = false;
            }
        }
        if (inWord) hashes.Add(h);
        return hashes;
    }

    private static ulong Fnv(ReadOnlySpan<char> text)
    {
        var h = 0xcbf29ce484222325UL;
        foreach (var c in text) h = (h ^ c) * 0x100000001b3UL;
        return h;
    }

    /// <summary>SplitMix64's finalizer: a cheap, well-mixed 64-bit permutation.</summary>
    private static ulong Mix(ulong x)
    {
        x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9UL;
        x = (x ^ (x >> 27)) * 0x94d049bb133111ebUL;
        return x ^ (x >> 31);
    }

    private static ulong[] MakeSeeds()
    {
        var seeds = new ulong[Slots];
        var state = 0x9e3779b97f4a7c15UL;
        for (var i = 0; i < Slots; i++)
        {
            state += 0x9e3779b97f4a7c15UL;
            seeds[i] = Mix(state);
        }
        return seeds;
    }
}
