namespace Tollgate.Hosting;

/// <summary>
/// Whether this node runs the cluster's periodic jobs (renewals, grant expiry) and webhook
/// deliveries. Every job is idempotent, so a brief overlap while leadership moves does no harm;
/// leadership only keeps N nodes from doing the same work N times.
/// </summary>
internal interface ILeadership
{
    bool IsLeader { get; }
}

/// <summary>A node alone on its database always leads.</summary>
internal sealed class SoleLeadership : ILeadership
{
    public bool IsLeader => true;
}
