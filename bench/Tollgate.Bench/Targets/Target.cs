using Tollgate.Bench.Hosting;
using Tollgate.Bench.Load;

namespace Tollgate.Bench.Targets;

/// <summary>
/// A system under test: where to send chat completions (one address per instance; load is
/// spread over them), with which headers, and which of the processes we started do the work
/// (charged with their CPU time per request).
/// </summary>
internal sealed record Target(
    string Name,
    IReadOnlyList<Uri> ChatUrls,
    IReadOnlyList<KeyValuePair<string, string>> Headers,
    IReadOnlyList<ChildProcess> Processes,
    Func<Scenario, LoadShape, string> Model)
{
    public const string MockModel = "bench-model";

    /// <summary>API keys a scenario's requests take in turn (sent as a bearer token), or null where the headers alone do.</summary>
    public Func<Scenario, IReadOnlyList<string>?> Keys { get; init; } = _ => null;

    public Uri ChatUrl => ChatUrls[0];

    public ChildProcess Process => Processes[0];

    /// <summary>The exact request bytes for a scenario: one per key where the scenario has keys, else one.</summary>
    public IReadOnlyList<byte[]> Requests(Scenario scenario, LoadShape shape)
    {
        var body = scenario.Body(Model(scenario, shape));
        return Keys(scenario) is { } keys
            ? [.. keys.Select(key => HttpRequestBytes.Post(ChatUrl, [.. Headers, new("Authorization", $"Bearer {key}")], body))]
            : [HttpRequestBytes.Post(ChatUrl, Headers, body)];
    }
}
