using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;

namespace Tollgate.Bench.Invoices;

/// <summary>Latencies of the requests whose scheduled start fell in a window, and how many failed.</summary>
internal sealed record LatencyWindow(int Requests, int Failed, double Seconds, double P50, double P99, double Max)
{
    public double Rate => Requests / Seconds;
}

/// <summary>
/// Open-loop chat traffic at a fixed rate: each request is scheduled in advance and its latency is
/// measured from when it should have started, so a stall shows up as latency instead of as fewer requests.
/// </summary>
internal sealed class TrafficLoad : IAsyncDisposable
{
    private readonly HttpClient _http;
    private readonly double _rate;
    private readonly List<(long ScheduledTicks, double Milliseconds, bool Ok)> _samples = [];
    private readonly Lock _lock = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _inFlight = [];
    private Task? _loop;

    /// <summary>What the first failed request answered, to say why requests failed.</summary>
    public string? FirstFailure { get; private set; }

    private static readonly byte[] Body = Encoding.UTF8.GetBytes(
        """{"model":"tg-mini","max_tokens":16,"messages":[{"role":"user","content":"Say hello to the benchmark in a few words."}]}""");

    public TrafficLoad(Uri server, string apiKey, double rate)
    {
        _http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256, PooledConnectionLifetime = Timeout.InfiniteTimeSpan })
        {
            BaseAddress = server,
            Timeout = TimeSpan.FromSeconds(30),
        };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        _rate = rate;
    }

    /// <summary>
    /// Sends one request at a time until one succeeds: the first loads the tokenizer and compiles
    /// the hot path, which on a busy machine takes longer than any latency worth measuring.
    /// </summary>
    public async Task PrimeAsync(TimeSpan limit)
    {
        var until = Stopwatch.GetTimestamp() + (long)(limit.TotalSeconds * Stopwatch.Frequency);
        string? last = null;
        while (Stopwatch.GetTimestamp() < until)
        {
            try
            {
                using var content = new ByteArrayContent(Body);
                content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                using var response = await _http.PostAsync("/v1/chat/completions", content);
                if (response.IsSuccessStatusCode) return;
                last = $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}";
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                last = ex.Message;
            }
            await Task.Delay(500);
        }
        throw new InvalidOperationException($"No chat request succeeded within {limit.TotalSeconds:0} s; the last answered {last}");
    }

    public void Start() => _loop = Task.Run(RunAsync);

    /// <summary>The requests scheduled between two moments (<see cref="Stopwatch.GetTimestamp"/>).</summary>
    public LatencyWindow Window(long from, long to)
    {
        List<(long ScheduledTicks, double Milliseconds, bool Ok)> inside;
        lock (_lock) inside = [.. _samples.Where(s => s.ScheduledTicks >= from && s.ScheduledTicks < to)];
        var latencies = inside.Where(s => s.Ok).Select(s => s.Milliseconds).Order().ToArray();
        double At(double quantile) => latencies.Length == 0 ? double.NaN : latencies[Math.Min(latencies.Length - 1, (int)(quantile * latencies.Length))];
        return new LatencyWindow(inside.Count, inside.Count(s => !s.Ok), Stopwatch.GetElapsedTime(from, to).TotalSeconds, At(0.50), At(0.99),
            latencies.Length == 0 ? double.NaN : latencies[^1]);
    }

    private async Task RunAsync()
    {
        var start = Stopwatch.GetTimestamp();
        for (long i = 0; !_stop.IsCancellationRequested; i++)
        {
            var scheduled = start + (long)(i / _rate * Stopwatch.Frequency);
            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), scheduled);
            if (wait > TimeSpan.FromMilliseconds(1))
            {
                try
                {
                    await Task.Delay(wait, _stop.Token);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
            var request = SendAsync(scheduled);
            lock (_lock)
            {
                _inFlight.RemoveAll(t => t.IsCompleted);
                _inFlight.Add(request);
            }
        }
    }

    private async Task SendAsync(long scheduled)
    {
        var ok = false;
        try
        {
            using var content = new ByteArrayContent(Body);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            using var response = await _http.PostAsync("/v1/chat/completions", content);
            await response.Content.ReadAsByteArrayAsync();
            ok = response.IsSuccessStatusCode;
            if (!ok) FirstFailure ??= $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}";
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            FirstFailure ??= ex.Message;
        }
        var elapsed = Stopwatch.GetElapsedTime(scheduled).TotalMilliseconds;
        lock (_lock) _samples.Add((scheduled, elapsed, ok));
    }

    public async ValueTask DisposeAsync()
    {
        if (_stop.IsCancellationRequested) return;
        await _stop.CancelAsync();
        if (_loop is not null) await _loop;
        Task[] pending;
        lock (_lock) pending = [.. _inFlight];
        await Task.WhenAll(pending);
        _http.Dispose();
    }
}
