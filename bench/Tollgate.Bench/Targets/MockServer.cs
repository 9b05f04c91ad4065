using Tollgate.Bench.Hosting;

namespace Tollgate.Bench.Targets;

/// <summary>The mock OpenAI upstream, in its own process; the direct target is this process itself.</summary>
internal static class MockServer
{
    public static async Task<(ChildProcess Process, Uri BaseUrl)> StartAsync(string assembly, string logDir, CancellationToken cancellationToken)
    {
        var port = FreePort.Next();
        var process = ChildProcess.Start("mock upstream", "dotnet", [assembly, "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture)],
            Path.Combine(logDir, "mock.log"));
        var baseUrl = new Uri($"http://127.0.0.1:{port}");
        await WaitHealthyAsync(process, new Uri(baseUrl, "/health"), cancellationToken);
        return (process, baseUrl);
    }

    /// <summary>Waits until a GET answers 200.</summary>
    public static async Task WaitHealthyAsync(ChildProcess process, Uri url, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        await process.WaitReadyAsync(async ct =>
        {
            using var response = await http.GetAsync(url, ct);
            return response.IsSuccessStatusCode;
        }, TimeSpan.FromSeconds(60), cancellationToken);
    }
}
