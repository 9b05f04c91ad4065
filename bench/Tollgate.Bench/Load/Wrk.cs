using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Tollgate.Bench.Load;

/// <summary>
/// The closed loop through wrk (Debian package <c>wrk</c>): C, event-driven, so it takes less of
/// the two cores than any generator in .NET would. A Lua script sets the POST and prints the
/// summary as JSON, with the p99.9 that wrk's own report lacks.
/// </summary>
internal static class Wrk
{
    private const string ResultMarker = "WRKJSON ";

    public static string? Find() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, "wrk"))
            .FirstOrDefault(File.Exists);

    /// <summary>One wrk run; latency percentiles are service times in microseconds as wrk measures them.</summary>
    public static async Task<WrkResult> RunAsync(string wrk, Uri url, IReadOnlyList<KeyValuePair<string, string>> headers, byte[] body, IReadOnlyList<string>? keys,
        int connections, TimeSpan duration, string workDir, CancellationToken cancellationToken)
    {
        var script = Path.Combine(workDir, $"wrk-{Guid.NewGuid():N}.lua");
        await File.WriteAllTextAsync(script, Script(headers, body, keys), cancellationToken);
        var start = new ProcessStartInfo(wrk)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in (string[])["-t", Math.Min(Environment.ProcessorCount, connections).ToString(CultureInfo.InvariantCulture),
            "-c", connections.ToString(CultureInfo.InvariantCulture), "-d", $"{Math.Max(1, (int)Math.Round(duration.TotalSeconds))}s",
            "--timeout", "10s", "-s", script, url.ToString()])
        {
            start.ArgumentList.Add(arg);
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException("wrk did not start");
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var errors = process.StandardError.ReadToEndAsync(cancellationToken);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(duration + TimeSpan.FromSeconds(30));
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            throw new TimeoutException("wrk did not finish in time");
        }
        var text = await output;
        var line = text.Split('\n').FirstOrDefault(l => l.StartsWith(ResultMarker, StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"wrk printed no result (exit {process.ExitCode}): {text}{await errors}");
        File.Delete(script);
        return JsonSerializer.Deserialize(line[ResultMarker.Length..], BenchJson.Default.WrkResult)
            ?? throw new InvalidOperationException("wrk's result did not parse");
    }

    private static string Script(IReadOnlyList<KeyValuePair<string, string>> headers, byte[] body, IReadOnlyList<string>? keys)
    {
        var lua = new StringBuilder();
        lua.AppendLine("wrk.method = \"POST\"");
        lua.Append("wrk.body = ").AppendLine(LuaString(Encoding.UTF8.GetString(body)));
        lua.AppendLine("wrk.headers[\"Content-Type\"] = \"application/json\"");
        foreach (var (name, value) in headers) lua.Append("wrk.headers[").Append(LuaString(name)).Append("] = ").AppendLine(LuaString(value));
        if (keys is { Count: > 0 })
        {
            // Each request takes the next key; each wrk thread starts at its own place in the list.
            lua.AppendLine("keys = {");
            foreach (var key in keys) lua.Append("  ").Append(LuaString(key)).AppendLine(",");
            lua.AppendLine("}");
            lua.AppendLine(KeyRotation);
        }
        lua.AppendLine("""
            done = function(summary, latency, requests)
              local e = summary.errors
              io.write(string.format('WRKJSON {"requests":%d,"duration_us":%d,"connect_errors":%d,"read_errors":%d,"write_errors":%d,"status_errors":%d,"timeouts":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,"p999_us":%d,"max_us":%d,"mean_us":%.1f}\n',
                summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
                latency:percentile(50), latency:percentile(90), latency:percentile(99), latency:percentile(99.9), latency.max, latency.mean))
            end
            """);
        return lua.ToString();
    }

    private const string KeyRotation = """
        local threads = 0
        setup = function(thread)
          thread:set("first", threads * 7919)
          threads = threads + 1
        end
        local next_key = 0
        init = function(args)
          next_key = (first or 0) % #keys
        end
        request = function()
          next_key = next_key % #keys + 1
          wrk.headers["Authorization"] = "Bearer " .. keys[next_key]
          return wrk.format()
        end
        """;

    private static string LuaString(string value) => "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}

/// <summary>wrk's summary as the Lua script prints it.</summary>
internal sealed record WrkResult(
    long Requests,
    long DurationUs,
    long ConnectErrors,
    long ReadErrors,
    long WriteErrors,
    long StatusErrors,
    long Timeouts,
    long P50Us,
    long P90Us,
    long P99Us,
    long P999Us,
    long MaxUs,
    double MeanUs)
{
    /// <summary>wrk counts a response with a non-2xx status as a request and as a status error.</summary>
    public long Ok => Requests - StatusErrors;

    public long Errors => ConnectErrors + ReadErrors + WriteErrors + StatusErrors + Timeouts;
}
