using System.Text;

namespace Tollgate.Bench.Targets;

/// <summary>A kind of request: a plain chat completion, or the same streamed with usage asked for.</summary>
internal sealed record Scenario(string Name, bool Stream)
{
    public static readonly Scenario Chat = new("chat", Stream: false);
    public static readonly Scenario ChatStream = new("chat-stream", Stream: true);

    /// <summary>A short prompt, as most chat turns are: the gateway's own work, not payload copying, dominates.</summary>
    public byte[] Body(string model)
    {
        var stream = Stream ? ""","stream":true,"stream_options":{"include_usage":true}""" : "";
        return Encoding.UTF8.GetBytes(
            $$"""{"model":"{{model}}","messages":[{"role":"user","content":"Write one short sentence about toll gates."}],"max_tokens":64{{stream}}}""");
    }
}
