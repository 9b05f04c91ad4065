using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Tollgate.Tests.Cli;
using Tollgate.Tests.Infrastructure;

namespace Tollgate.Tests.Reliability;

/// <summary>
/// <c>tollgate serve</c> as a real process on a loopback port and a data directory that outlives
/// it, so a test can stop it (SIGTERM) or kill it (SIGKILL), start it again, and read the database.
/// </summary>
internal sealed class GatewayProcess : IAsyncDisposable
{
    public const string AdminToken = "process-admin-token-for-reliability-tests";
    private readonly ConcurrentQueue<string> _output = new();
    private Process? _process;

    public GatewayProcess(string dataDir)
    {
        DataDir = dataDir;
        Url = $"http://127.0.0.1:{TollgateProcess.FreePort()}";
    }

    public string DataDir { get; }

    /// <summary>More <c>TOLLGATE_*</c> variables for the process (a shared database, Redis, a common key pepper).</summary>
    public Dictionary<string, string> Variables { get; } = new(StringComparer.Ordinal) { ["TOLLGATE_ADMIN_TOKEN"] = AdminToken };

    public string Url { get; private set; }

    public string Output => string.Join('\n', _output);

    public bool HasExited => _process?.HasExited ?? true;

    public int ExitCode => _process!.ExitCode;

    public async Task StartAsync()
    {
        Url = $"http://127.0.0.1:{TollgateProcess.FreePort()}";
        _process = Process.Start(TollgateProcess.StartInfo(Variables, "serve", "--urls", Url, "--data-dir", DataDir, "--no-demo"))!;
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) _output.Enqueue(e.Data); };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) _output.Enqueue(e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        using var probe = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        // A deadline, not a number of attempts: on a loaded machine a cold start can take well over 30 s.
        var deadline = TimeProvider.System.GetUtcNow() + TimeSpan.FromSeconds(120);
        while (TimeProvider.System.GetUtcNow() < deadline)
        {
            if (_process.HasExited) throw new InvalidOperationException("tollgate exited at start:\n" + Output);
            try
            {
                if ((await probe.GetAsync(Url + "/readyz")).IsSuccessStatusCode) return;
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }
            await Task.Delay(100);
        }
        throw new TimeoutException("tollgate did not become ready:\n" + Output);
    }

    /// <summary>SIGTERM: the graceful stop an orchestrator sends.</summary>
    public void Terminate()
    {
        using var kill = Process.Start("kill", ["-TERM", _process!.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    /// <summary>SIGKILL: no chance to finish anything.</summary>
    public void Kill() => _process!.Kill();

    public async Task WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        await _process!.WaitForExitAsync(cancel.Token);
    }

    public HttpClient Client(string token) => new()
    {
        BaseAddress = new Uri(Url),
        Timeout = TimeSpan.FromSeconds(60),
        DefaultRequestHeaders = { Authorization = new AuthenticationHeaderValue("Bearer", token) },
    };

    /// <summary>A chat model on the stub, a funded customer and its key; returns the key.</summary>
    public async Task<string> SetUpAsync(string modelId, string baseUrl)
    {
        using var admin = Client(AdminToken);
        var model = new JsonObject
        {
            ["kind"] = "chat",
            ["max_output_tokens"] = 256,
            ["backends"] = new JsonArray(new JsonObject { ["id"] = modelId + "-b1", ["kind"] = "open_ai", ["base_url"] = baseUrl, ["upstream_model"] = "up-model" }),
            ["price"] = new JsonObject { ["input"] = "1", ["output"] = "2" },
        };
        (await admin.PutAsync($"/admin/v1/models/{modelId}", TollgateCalls.JsonBody(model.ToJsonString()))).EnsureSuccessStatusCode();
        using var customer = await admin.PostAsync("/admin/v1/customers", TollgateCalls.JsonBody("""{"name":"Load"}"""));
        var customerId = JsonNode.Parse(await customer.EnsureSuccessStatusCode().Content.ReadAsStringAsync())!["id"]!.GetValue<string>();
        (await admin.PostAsync($"/admin/v1/customers/{customerId}/grants", TollgateCalls.JsonBody("""{"amount":"1000"}"""))).EnsureSuccessStatusCode();
        using var key = await admin.PostAsync($"/admin/v1/customers/{customerId}/keys", TollgateCalls.JsonBody("""{"name":"load"}"""));
        return JsonNode.Parse(await key.EnsureSuccessStatusCode().Content.ReadAsStringAsync())!["key"]!.GetValue<string>();
    }

    /// <summary>Usage events by request id, and usage ledger entries (kind 3) by reference, read straight from the database.</summary>
    public (Dictionary<string, int> Events, Dictionary<string, int> LedgerUsage) ReadBooks()
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(DataDir, "tollgate.db")};Mode=ReadOnly;Pooling=False");
        connection.Open();
        return (Count(connection, "SELECT request_id FROM usage_events"), Count(connection, "SELECT reference FROM ledger_entries WHERE kind = 3"));
    }

    /// <summary>The sum of every stored usage event's charged amount, added in decimal.</summary>
    public decimal ChargedTotal()
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(DataDir, "tollgate.db")};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT charged_amount FROM usage_events";
        using var reader = command.ExecuteReader();
        var total = 0m;
        while (reader.Read()) total += decimal.Parse(reader.GetString(0), System.Globalization.CultureInfo.InvariantCulture);
        return total;
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false }) _process.Kill();
        if (_process is not null) await _process.WaitForExitAsync();
        _process?.Dispose();
    }

    private static Dictionary<string, int> Count(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        while (reader.Read()) counts[reader.GetString(0)] = counts.GetValueOrDefault(reader.GetString(0)) + 1;
        return counts;
    }
}
