using System.Text;
using System.Text.Json;

namespace Tollgate.Distillation;

/// <summary>
/// The part of a chat request the customer varies from call to call: the text of its last user
/// message. System and developer messages are left out — a fixed system prompt is the customer's
/// app, not a harvest. Without a user message the whole conversation's text stands in.
/// </summary>
internal static class UserTurn
{
    public static string Of(JsonElement root)
    {
        if (!root.TryGetProperty("messages", out var messages) || messages.ValueKind != JsonValueKind.Array) return "";
        string? lastUser = null;
        var all = new StringBuilder();
        foreach (var message in messages.EnumerateArray())
        {
            if (message.ValueKind != JsonValueKind.Object || !message.TryGetProperty("content", out var content)) continue;
            var text = TextOf(content);
            all.Append(text).Append('\n');
            if (message.TryGetProperty("role", out var role) && role.ValueKind == JsonValueKind.String && role.ValueEquals("user")) lastUser = text;
        }
        return lastUser ?? all.ToString();
    }

    private static string TextOf(JsonElement content)
    {
        if (content.ValueKind == JsonValueKind.String) return content.GetString() ?? "";
        if (content.ValueKind != JsonValueKind.Array) return "";
        var text = new StringBuilder();
        foreach (var part in content.EnumerateArray())
        {
            if (part.ValueKind == JsonValueKind.Object && part.TryGetProperty("text", out var t) && t.ValueKind == JsonValueKind.String)
                text.Append(t.GetString()).Append('\n');
        }
        return text.ToString();
    }
}

/// <summary>
/// Leading lines a customer repeats across its requests of the day ("Translate into French:",
/// a pasted instruction block): their app's preamble, cut from the user turn before it is compared.
/// Only hashes of the lines are kept, at most <see cref="MaxLines"/> of them.
/// </summary>
internal sealed class RepeatedPreamble
{
    public const int MaxLines = 4096;

    private readonly Dictionary<ulong, int> _seen = [];

    /// <summary>The turn without its leading lines already seen in an earlier request (at least one line is left).</summary>
    public string Strip(string turn)
    {
        var start = 0;
        while (true)
        {
            var end = turn.IndexOf('\n', start);
            if (end < 0) break;
            var line = turn.AsSpan(start, end - start).Trim();
            if (line.IsEmpty)
            {
                start = end + 1;
                continue;
            }
            var hash = Fnv(line);
            var seen = _seen.GetValueOrDefault(hash);
            if (seen < int.MaxValue && (_seen.Count < MaxLines || seen > 0)) _seen[hash] = seen + 1;
            if (seen == 0 || turn.AsSpan(end + 1).Trim().IsEmpty) break;
            start = end + 1;
        }
        return start == 0 ? turn : turn[start..];
    }

    private static ulong Fnv(ReadOnlySpan<char> text)
    {
        var h = 0xcbf29ce484222325UL;
        foreach (var c in text) h = (h ^ char.ToLowerInvariant(c)) * 0x100000001b3UL;
        return h;
    }
}
