using System.Diagnostics;
using System.Globalization;

namespace Tollgate.Tests.Infrastructure;

/// <summary>
/// The clock a test server runs on when the test does not bring its own. By default the system's;
/// with <c>TOLLGATE_TEST_NOW</c> set (an ISO 8601 instant, e.g. <c>2027-02-28T23:59:59Z</c>) a clock
/// that starts at that instant and runs at real speed, so timers and timeouts behave as usual while
/// every date the server sees is the one chosen. CI runs the billing tests this way at month edges,
/// so no test can pass only on some days of the month.
/// </summary>
internal static class TestClock
{
    public const string Variable = "TOLLGATE_TEST_NOW";

    /// <summary>The instant from <see cref="Variable"/>, or null when tests run on the system clock.</summary>
    public static DateTimeOffset? Start { get; } = Parse(Environment.GetEnvironmentVariable(Variable));

    /// <summary>A new clock for one test server: started at <see cref="Start"/>, or the system's.</summary>
    public static TimeProvider Create() => Start is { } start ? new StartedAt(start) : TimeProvider.System;

    internal static DateTimeOffset? Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var start))
            throw new InvalidOperationException($"{Variable} must be an ISO 8601 instant such as 2027-01-31T23:59:59Z, not '{text}'.");
        return start;
    }

    /// <summary>Real time, moved to start at a chosen instant.</summary>
    internal sealed class StartedAt(DateTimeOffset start) : TimeProvider
    {
        private readonly long _origin = Stopwatch.GetTimestamp();

        public override DateTimeOffset GetUtcNow() => start + Stopwatch.GetElapsedTime(_origin);
    }
}
