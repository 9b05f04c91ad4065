namespace Tollgate.Tests.Web;

/// <summary>
/// A test that drives headless Chromium. Outside CI it is skipped when no Chromium is installed;
/// in CI (<c>CI=true</c>) it runs and fails, so a missing browser never passes for a green run.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class BrowserFactAttribute : FactAttribute
{
    public BrowserFactAttribute()
    {
        if (Chromium.Path is null && !Chromium.InCi)
            Skip = "Chromium is not installed (apt-get install chromium); set TOLLGATE_CHROMIUM to its path if it is elsewhere.";
    }
}

/// <summary>Where the system's Chromium is: <c>TOLLGATE_CHROMIUM</c>, else Debian's package paths.</summary>
internal static class Chromium
{
    public static bool InCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    public static string? Path { get; } =
        new[] { Environment.GetEnvironmentVariable("TOLLGATE_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser" }
            .FirstOrDefault(p => !string.IsNullOrEmpty(p) && File.Exists(p));
}
