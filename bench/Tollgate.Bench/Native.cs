using System.Runtime.InteropServices;

namespace Tollgate.Bench;

/// <summary>
/// The few libc calls .NET does not expose: a polite stop (SIGTERM) for child processes, and a
/// sleep finer than the runtime's millisecond timers for pacing the open-loop generator.
/// </summary>
internal static partial class Native
{
    private const int SigTerm = 15;
    private const int PrSetTimerSlack = 29;

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    public static bool Terminate(int pid) => kill(pid, SigTerm) == 0;

    /// <summary>Lets this thread's sleeps end within microseconds instead of the default 50 µs slack.</summary>
    public static void ReduceTimerSlack()
    {
        if (OperatingSystem.IsLinux()) _ = prctl(PrSetTimerSlack, 1, 0, 0, 0);
    }

    public static void SleepNanoseconds(long nanoseconds)
    {
        if (nanoseconds <= 0) return;
        var request = new TimeSpec { Seconds = nanoseconds / 1_000_000_000, Nanoseconds = nanoseconds % 1_000_000_000 };
        _ = nanosleep(in request, IntPtr.Zero);
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int signal);

    [LibraryImport("libc")]
    private static partial int prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);

    [LibraryImport("libc")]
    private static partial int nanosleep(in TimeSpec request, IntPtr remaining);
}
