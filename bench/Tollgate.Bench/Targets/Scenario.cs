using System.Text;

namespace Tollgate.Bench.Targets;

/// <summary>
/// A kind of request: a plain chat completion, the same streamed with usage asked for, the plain
/// one spread over many keys and customers, or one refused by its customer's budget.
/// </summary>
internal sealed record Scenario(string Name, bool Stream, bool ManyKeys = false, bool Refused = false)
{
    public static readonly Scenario Chat = new("chat", Stream: false);
    public static readonly Scenario ChatStream = new("chat-stream", Stream: true);

    /// <summary>Every request with the next of the seeded keys (10,000 over 1,000 customers by default): lookups and accounts over a large catalog.</summary>
    public static readonly Scenario ChatKeys = new("chat-keys", Stream: false, ManyKeys: true);

    /// <summary>A customer whose monthly budget is used up: every request is refused (429) before anything is forwarded. Tollgate only.</summary>
    public static readonly Scenario ChatRefused = new("chat-refused", Stream: false, Refused: true);

    public static readonly IReadOnlyList<Scenario> All = [Chat, ChatStream, ChatKeys, ChatRefused];

    /// <summary>The status every response must have to count as the expected outcome.</summary>
    public int ExpectedStatus => Refused ? 429 : 200;

    /// <summary>Only Tollgate has budgets to refuse by; the other targets would just answer.</summary>
    public bool AppliesTo(string target) => !Refused || target == "tollgate";

    /// <summary>A short prompt, as most chat turns are: the gateway's own work, not payload copying, dominates.</summary>
    public byte[] Body(string model)
    {
        var stream = Stream ? ""","stream":true,"stream_options":{"include_usage":true}""" : "";
        return Encoding.UTF8.GetBytes(
            $$"""{"model":"{{model}}","messages":[{"role":"user","content":"Write one short sentence about toll gates."}],"max_tokens":64{{stream}}}""");
    }
}
