using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Options;

namespace Tollgate.Security;

/// <summary>How many wrong API keys or admin tokens one client may present before it is slowed down.</summary>
internal sealed record AuthFailureOptions
{
    public const string Section = "Security";

    /// <summary>Failed authentications one client (remote address) may make per window; the next attempt gets 429.</summary>
    public int AuthFailuresPerWindow { get; init; } = 20;

    public TimeSpan AuthFailureWindow { get; init; } = TimeSpan.FromMinutes(1);
}

/// <summary>
/// Slows down guessing: a client that presented too many wrong credentials within a window is
/// refused (429 with <c>retry-after</c>) on every authenticated route, right credentials or not,
/// until its window ends. Counted per remote address in memory; the table is bounded so a flood of
/// addresses cannot grow it without limit.
/// </summary>
internal sealed class AuthFailureThrottle(IOptions<AuthFailureOptions> options, TimeProvider time)
{
    private const int MaxClients = 100_000;

    private readonly ConcurrentDictionary<string, Window> _clients = new(StringComparer.Ordinal);

    /// <summary>True when <paramref name="client"/> must wait; <paramref name="retryAfter"/> says how long.</summary>
    public bool IsBlocked(IPAddress? client, out TimeSpan retryAfter) => IsBlocked(Key(client), options.Value.AuthFailuresPerWindow, out retryAfter);

    /// <summary>
    /// The same throttle for something other than an address (a portal account: <c>account:</c> and its email), with its own
    /// limit per window, so guessing one account's password from many addresses is slowed down too.
    /// </summary>
    public bool IsBlocked(string key, int limit, out TimeSpan retryAfter)
    {
        retryAfter = TimeSpan.Zero;
        if (!_clients.TryGetValue(key, out var window)) return false;
        var now = time.GetUtcNow();
        lock (window)
        {
            if (now >= window.Ends || window.Failures < limit) return false;
            retryAfter = window.Ends - now;
            return true;
        }
    }

    public void RecordFailure(IPAddress? client) => RecordFailure(Key(client));

    public void RecordFailure(string key)
    {
        var now = time.GetUtcNow();
        if (_clients.Count >= MaxClients) Prune(now);
        var window = _clients.GetOrAdd(key, _ => new Window());
        lock (window)
        {
            if (now >= window.Ends)
            {
                window.Ends = now + options.Value.AuthFailureWindow;
                window.Failures = 0;
            }
            window.Failures++;
        }
    }

    private void Prune(DateTimeOffset now)
    {
        foreach (var (key, window) in _clients)
        {
            if (now >= window.Ends) _clients.TryRemove(key, out _);
        }
        // Still full of live windows: forget them all rather than grow; guessing stays slow per address.
        if (_clients.Count >= MaxClients) _clients.Clear();
    }

    private static string Key(IPAddress? client) => client?.ToString() ?? "local";

    private sealed class Window
    {
        public DateTimeOffset Ends { get; set; } = DateTimeOffset.MinValue;

        public int Failures { get; set; }
    }
}
