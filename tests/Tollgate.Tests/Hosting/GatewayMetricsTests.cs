using System.Diagnostics;
using System.Globalization;
using System.Net;
using Tollgate.Tests.Admin;
using Tollgate.Tests.Infrastructure;

namespace Tollgate.Tests.Hosting;

/// <summary>The latency histograms on <c>/metrics</c> have bounds that separate ordinary requests, in seconds.</summary>
public sealed class GatewayMetricsTests : TollgateTestBase
{
    [Fact]
    public async Task Metrics_FastRequest_LandsInASubSecondBucket()
    {
        using var admin = App.AdminClient();
        await admin.SendAsync(HttpMethod.Put, "/admin/v1/models/fast", """
            {"kind":"chat","max_output_tokens":100,"backends":[{"id":"fast-sim","kind":"simulator","simulator_time_to_first_token_ms":0,"simulator_tokens_per_second":0}],
             "price":{"input":"1","output":"1"}}
            """);
        using var client = App.ApiClient();
        var clock = Stopwatch.StartNew();
        using var response = await client.PostAsync("/v1/chat/completions",
            TollgateCalls.JsonBody("""{"model":"fast","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}"""));
        var elapsed = clock.Elapsed.TotalSeconds;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var metrics = await (await App.CreateClient().GetAsync("/metrics")).Content.ReadAsStringAsync();
        var buckets = metrics.Split('\n')
            .Where(l => l.StartsWith("tollgate_request_duration_seconds_bucket{", StringComparison.Ordinal) && l.Contains("model=\"fast\"", StringComparison.Ordinal))
            .Select(Bucket)
            .ToList();

        Assert.Contains(buckets, b => b.Bound == 0.005);
        Assert.Contains(buckets, b => b.Bound == 0.1);
        Assert.Contains(buckets, b => b.Bound == 600);
        // The server's own duration is within what the client waited: counted at the first bound that covers that.
        var covering = buckets.Where(b => b.Bound >= elapsed).MinBy(b => b.Bound);
        Assert.True(covering.Bound < 5 || elapsed >= 2.5, $"the request took {elapsed:F3} s but the first bucket that holds it is {covering.Bound} s");
        Assert.Equal(1, covering.Count);
    }

    private static (double Bound, long Count) Bucket(string line)
    {
        var le = line[(line.IndexOf("le=\"", StringComparison.Ordinal) + 4)..];
        var bound = le[..le.IndexOf('"', StringComparison.Ordinal)];
        var count = line[(line.LastIndexOf(' ') + 1)..];
        return (bound == "+Inf" ? double.PositiveInfinity : double.Parse(bound, CultureInfo.InvariantCulture), long.Parse(count, CultureInfo.InvariantCulture));
    }
}
