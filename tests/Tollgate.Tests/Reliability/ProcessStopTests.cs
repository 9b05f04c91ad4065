using System.Collections.Concurrent;
using System.Net;
using Tollgate.Tests.Infrastructure;
using Xunit.Abstractions;
using static Tollgate.Tests.Infrastructure.TollgateCalls;

namespace Tollgate.Tests.Reliability;

/// <summary>
/// Tollgate as a real process under concurrent load: stopped with SIGTERM it finishes what is in
/// flight and bills it; killed with SIGKILL at random moments it never loses nor doubles the usage
/// of a response its client received in full.
/// </summary>
public sealed class ProcessStopTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Model = "load";
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "tollgate-tests", "process-" + Guid.NewGuid().ToString("N"));
    private StubUpstream _stub = null!;

    public async Task InitializeAsync()
    {
        _stub = await StubUpstream.StartAsync();
        _stub.On("slow", Slow(TimeSpan.FromMilliseconds(800)));
        _stub.On("quick", Slow(TimeSpan.FromMilliseconds(20)));
    }

    public async Task DisposeAsync()
    {
        await _stub.DisposeAsync();
        try
        {
            Directory.Delete(_dataDir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public async Task Sigterm_UnderLoad_InFlightRequestsFinishAndAreBilled()
    {
        await using var gateway = new GatewayProcess(_dataDir);
        await gateway.StartAsync();
        var key = await gateway.SetUpAsync(Model, _stub.BaseUrl("slow"));
        using var client = gateway.Client(key);
        const int inFlight = 16;

        var calls = Enumerable.Range(0, inFlight).Select(i => CallAsync(client, stream: i % 2 == 0)).ToList();
        for (var i = 0; i < 200 && _stub.Received("slow").Count < inFlight; i++) await Task.Delay(20);
        Assert.Equal(inFlight, _stub.Received("slow").Count);
        gateway.Terminate();
        var results = await Task.WhenAll(calls);
        await gateway.WaitForExitAsync(TimeSpan.FromSeconds(40));

        Assert.True(gateway.ExitCode == 0, gateway.Output);
        Assert.All(results, r => Assert.True(r.Complete, $"a request in flight at SIGTERM did not finish: {r.Detail}"));
        var (events, ledger) = gateway.ReadBooks();
        Assert.All(results, r => Assert.Equal((1, 1), (events.GetValueOrDefault(r.RequestId!), ledger.GetValueOrDefault(r.RequestId!))));
        Assert.Equal(inFlight, events.Count);
        Assert.Equal(inFlight, ledger.Count);
    }

    [Fact]
    public async Task Sigkill_AtRandomMomentsFiveTimes_EveryReceivedResponseBilledExactlyOnce()
    {
        var received = new ConcurrentBag<Result>();
        var random = new Random(20261130);
        string? key = null;
        for (var round = 0; round < 5; round++)
        {
            await using var gateway = new GatewayProcess(_dataDir);
            await gateway.StartAsync();
            key ??= await gateway.SetUpAsync(Model, _stub.BaseUrl("quick"));
            using var client = gateway.Client(key);
            using var stop = new CancellationTokenSource();
            var load = Enumerable.Range(0, 8).Select(worker => Task.Run(async () =>
            {
                for (var i = 0; !stop.IsCancellationRequested; i++)
                {
                    var result = await CallAsync(client, stream: (worker + i) % 2 == 0);
                    if (result.Complete) received.Add(result);
                    else if (!stop.IsCancellationRequested) await Task.Delay(10);
                }
            })).ToList();
            await Task.Delay(random.Next(300, 2000));
            gateway.Kill();
            await stop.CancelAsync();
            await Task.WhenAll(load);
        }

        Tollgate.Tests.Cli.CliResult reconcile;
        System.Text.Json.Nodes.JsonNode wallet;
        await using (var last = new GatewayProcess(_dataDir))
        {
            await last.StartAsync();
            // The books after five kills: the operator's own check, and the wallet the restarted process rebuilt from the ledger.
            reconcile = await Tollgate.Tests.Cli.TollgateProcess.RunAsync(
                new Dictionary<string, string> { ["TOLLGATE_ADMIN_TOKEN"] = GatewayProcess.AdminToken }, "reconcile", "--server", last.Url);
            using var admin = last.Client(GatewayProcess.AdminToken);
            var customer = System.Text.Json.Nodes.JsonNode.Parse(await admin.GetStringAsync("/admin/v1/customers"))!["data"]![0]!["id"]!.GetValue<string>();
            wallet = System.Text.Json.Nodes.JsonNode.Parse(await admin.GetStringAsync($"/admin/v1/customers/{customer}/wallet"))!;
            last.Terminate();
            await last.WaitForExitAsync(TimeSpan.FromSeconds(30));
        }
        var (events, ledger) = new GatewayProcess(_dataDir).ReadBooks();
        output.WriteLine($"5 kills; {received.Count} responses received in full; {events.Count} usage events, {ledger.Count} usage ledger entries stored.");
        Assert.True(received.Count > 20, $"only {received.Count} responses completed");
        Assert.Equal(received.Count, received.Select(r => r.RequestId).Distinct().Count());
        var lost = received.Where(r => events.GetValueOrDefault(r.RequestId!) != 1 || ledger.GetValueOrDefault(r.RequestId!) != 1).ToList();
        Assert.True(lost.Count == 0, $"{lost.Count} of {received.Count} received responses lack their usage event or ledger entry");
        // Nothing billed twice, and nothing in the ledger without its event.
        Assert.All(ledger, entry => Assert.Equal(1, entry.Value));
        Assert.Empty(ledger.Keys.Except(events.Keys));
        Assert.True(reconcile.ExitCode == 0, $"tollgate reconcile: exit {reconcile.ExitCode}\n{reconcile.Output}\n{reconcile.Error}");
        // Balance = the $1000 granted − every charge stored; nothing still held by a killed process.
        var charged = new GatewayProcess(_dataDir).ChargedTotal();
        Assert.Equal(1000m - charged, decimal.Parse(wallet["balance"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(0m, decimal.Parse(wallet["reserved"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture));
    }

    private sealed record Result(bool Complete, string? RequestId, string Detail);

    private static async Task<Result> CallAsync(HttpClient client, bool stream)
    {
        try
        {
            using var response = await client.PostAsync("/v1/chat/completions", JsonBody(
                $$"""{"model":"{{Model}}","stream":{{(stream ? "true" : "false")}},"max_tokens":50,"messages":[{"role":"user","content":"Say something short"}]}"""));
            var body = await response.Content.ReadAsStringAsync();
            var id = response.Headers.TryGetValues("x-request-id", out var ids) ? ids.Single() : null;
            // Received in full: a 200 whose JSON carries its usage, or a stream that reached [DONE].
            var complete = response.StatusCode == HttpStatusCode.OK && id is not null
                && (stream ? body.EndsWith("data: [DONE]\n\n", StringComparison.Ordinal) && !body.Contains("event: error", StringComparison.Ordinal)
                           : body.Contains("\"usage\"", StringComparison.Ordinal) && body.TrimEnd().EndsWith('}'));
            return new Result(complete, id, $"{(int)response.StatusCode} {body[..Math.Min(200, body.Length)]}");
        }
        catch (HttpRequestException ex)
        {
            return new Result(false, null, ex.Message);
        }
        catch (IOException ex)
        {
            return new Result(false, null, ex.Message);
        }
        catch (TaskCanceledException ex)
        {
            return new Result(false, null, ex.Message);
        }
    }

    /// <summary>A backend that thinks for a while before answering (plain or streamed, as asked).</summary>
    private static StubReply Slow(TimeSpan delay) => async (http, body, stopping) =>
    {
        await Task.Delay(delay, stopping);
        var stream = body["stream"]?.GetValue<bool>() == true;
        await (stream ? Stub.Stream(Stub.Usage(12, 9)) : Stub.Completion(Stub.Usage(12, 9)))(http, body, stopping);
    };
}
