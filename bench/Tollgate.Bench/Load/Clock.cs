using System.Diagnostics;

namespace Tollgate.Bench.Load;

/// <summary>A monotonic clock in nanoseconds, the unit every latency histogram records.</summary>
internal static class Clock
{
    private static readonly double NanosecondsPerTick = 1e9 / Stopwatch.Frequency;

    public static long Now() => (long)(Stopwatch.GetTimestamp() * NanosecondsPerTick);

    /// <summary>Sleeps until <paramref name="deadline"/>; late by the kernel's wake-up time, never early.</summary>
    public static void SleepUntil(long deadline)
    {
        var remaining = deadline - Now();
        if (remaining > 0) Native.SleepNanoseconds(remaining);
    }
}
