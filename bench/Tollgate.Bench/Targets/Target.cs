using Tollgate.Bench.Hosting;

namespace Tollgate.Bench.Targets;

/// <summary>
/// A system under test: where to send chat completions, with which headers, and which of the
/// processes we started does the work (charged with its CPU time per request).
/// </summary>
internal sealed record Target(
    string Name,
    Uri ChatUrl,
    IReadOnlyList<KeyValuePair<string, string>> Headers,
    ChildProcess Process,
    Func<Scenario, LoadShape, string> Model)
{
    public const string MockModel = "bench-model";
}
