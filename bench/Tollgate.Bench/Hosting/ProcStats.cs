using System.Globalization;

namespace Tollgate.Bench.Hosting;

/// <summary>
/// CPU time and memory read from Linux's /proc: per process (to charge each target its own CPU
/// per request) and for the whole machine (to show how busy the two cores were).
/// </summary>
internal static class ProcStats
{
    /// <summary>Kernel clock ticks per second for /proc times: 100 on every Linux this runs on.</summary>
    public const double TicksPerSecond = 100;

    /// <summary>User + system CPU seconds the process has used so far.</summary>
    public static double CpuSeconds(int pid) => StatTicks(pid.ToString(CultureInfo.InvariantCulture), withChildren: false) / TicksPerSecond;

    /// <summary>
    /// CPU seconds of this process and of its children that have ended (wrk runs, once waited
    /// for): the load generator's share of the machine.
    /// </summary>
    public static double OwnCpuSeconds() => StatTicks("self", withChildren: true) / TicksPerSecond;

    private static long StatTicks(string pid, bool withChildren)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        // Fields after the command name, which is in parentheses and may contain spaces; utime is field 14.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var count = withChildren ? 4 : 2;
        return fields.Skip(11).Take(count).Sum(f => long.Parse(f, CultureInfo.InvariantCulture));
    }

    /// <summary>Resident memory now (VmRSS) in MiB.</summary>
    public static double RssMiB(int pid) => StatusKiB(pid, "VmRSS:") / 1024.0;

    /// <summary>Peak resident memory (VmHWM) in MiB.</summary>
    public static double PeakRssMiB(int pid) => StatusKiB(pid, "VmHWM:") / 1024.0;

    private static long StatusKiB(int pid, string field)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith(field, StringComparison.Ordinal))
                return long.Parse(line[field.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
        }
        return 0;
    }

    /// <summary>Busy and total jiffies of all cores since boot (same tick as the process times).</summary>
    public static (long Busy, long Total) MachineCpu()
    {
        var line = File.ReadLines("/proc/stat").First(l => l.StartsWith("cpu ", StringComparison.Ordinal));
        var values = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(v => long.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        var idle = values[3] + (values.Length > 4 ? values[4] : 0);
        var total = values.Take(8).Sum();
        return (total - idle, total);
    }
}
