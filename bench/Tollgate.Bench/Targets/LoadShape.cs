using System.Globalization;

namespace Tollgate.Bench.Targets;

/// <summary>Closed loop (fixed connections, as fast as the target answers) or open loop at a fixed rate.</summary>
internal sealed record LoadShape(string Name, double? Rate)
{
    public static LoadShape Closed(int connections) => new($"closed-{connections}c", null);

    public static LoadShape Open(double rate) => new($"open-{rate.ToString("0", CultureInfo.InvariantCulture)}rps", rate);

    public bool IsOpen => Rate is not null;

    /// <summary>A short id usable in a model name.</summary>
    public string Id => IsOpen ? $"open{Rate!.Value.ToString("0", CultureInfo.InvariantCulture)}" : "closed";
}
