using System.Globalization;
using Tollgate.Bench.Hosting;

namespace Tollgate.Bench.Targets;

/// <summary>The bare YARP forwarder in front of the mock.</summary>
internal static class YarpServer
{
    public static async Task<Target> StartAsync(string assembly, Uri mock, string logDir, CancellationToken cancellationToken)
    {
        var port = FreePort.Next();
        var process = ChildProcess.Start("yarp", "dotnet", [assembly, "--port", port.ToString(CultureInfo.InvariantCulture), "--upstream", mock.ToString()],
            Path.Combine(logDir, "yarp.log"));
        var baseUrl = new Uri($"http://127.0.0.1:{port}");
        // The forwarder passes /health through to the mock: ready means the whole path works.
        await MockServer.WaitHealthyAsync(process, new Uri(baseUrl, "/health"), cancellationToken);
        return new Target("yarp", [new Uri(baseUrl, "/v1/chat/completions")], [], [process], (_, _) => Target.MockModel);
    }
}
