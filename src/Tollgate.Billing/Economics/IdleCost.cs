using Tollgate.Billing.Pricing;

namespace Tollgate.Billing.Economics;

/// <summary>
/// One hour of an own-hardware backend: what the hardware cost, what the hour's requests carried as
/// cost to serve, and the rest — idle capacity. Negative idle means the hour ran above the target
/// utilisation (its requests carried more than the hardware cost).
/// </summary>
public sealed record IdleHour(DateTimeOffset Hour, decimal HardwareCost, decimal Attributed)
{
    public decimal Idle => HardwareCost - Attributed;
}

/// <summary>Idle cost is computed in reports, never on a request: the per-request cost stays a multiplication.</summary>
public static class IdleCost
{
    /// <summary>
    /// Hour by hour over [<paramref name="from"/>, <paramref name="to"/>): the hardware cost under each
    /// hardware card in force (by the share of the hour it was), against the cost to serve attributed to
    /// requests completed that hour (keyed by the hour's start). Hours without a hardware card are left out.
    /// </summary>
    public static IReadOnlyList<IdleHour> Hours(
        IReadOnlyList<CostCard> cardsByStart, DateTimeOffset from, DateTimeOffset to, IReadOnlyDictionary<DateTimeOffset, decimal> attributedByHour)
    {
        var hours = new List<IdleHour>();
        if (!cardsByStart.Any(c => c.Hardware is not null)) return hours;
        for (var hour = HourOf(from); hour < to; hour = hour.AddHours(1))
        {
            var start = hour < from ? from : hour;
            var end = hour.AddHours(1) > to ? to : hour.AddHours(1);
            var hardware = 0m;
            var covered = false;
            for (var i = 0; i < cardsByStart.Count; i++)
            {
                if (cardsByStart[i].Hardware is not { } cost) continue;
                var cardStart = cardsByStart[i].EffectiveFrom;
                var cardEnd = i + 1 < cardsByStart.Count ? cardsByStart[i + 1].EffectiveFrom : DateTimeOffset.MaxValue;
                var overlap = (end < cardEnd ? end : cardEnd) - (start > cardStart ? start : cardStart);
                if (overlap <= TimeSpan.Zero) continue;
                covered = true;
                hardware += overlap.Ticks == TimeSpan.TicksPerHour
                    ? cost.CostPerHour
                    : Math.Round(cost.CostPerHour * overlap.Ticks / TimeSpan.TicksPerHour, Shares.Decimals, MidpointRounding.AwayFromZero);
            }
            if (covered) hours.Add(new IdleHour(hour, hardware, attributedByHour.GetValueOrDefault(hour)));
        }
        return hours;
    }

    public static DateTimeOffset HourOf(DateTimeOffset at)
    {
        var utc = at.ToUniversalTime();
        return new DateTimeOffset(utc.Year, utc.Month, utc.Day, utc.Hour, 0, 0, TimeSpan.Zero);
    }
}
