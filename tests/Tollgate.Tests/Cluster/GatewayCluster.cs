using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Npgsql;
using Tollgate.Tests.Reliability;
using static Tollgate.Tests.Infrastructure.TollgateCalls;

namespace Tollgate.Tests.Cluster;

/// <summary>
/// Several <c>tollgate serve</c> processes on loopback sharing one PostgreSQL schema and one Redis
/// prefix (one key pepper, a short catalog check interval): what runs behind a load balancer.
/// </summary>
internal sealed class GatewayCluster : IAsyncDisposable
{
    public const string Model = "load";

    /// <summary>Price per 1M tokens (input 1000, output 2000) and the stub's usage (10 in, 10 out): $0.03 a request.</summary>
    public const decimal PerRequest = 0.03m;

    private readonly string _root = Path.Combine(Path.GetTempPath(), "tollgate-tests", "cluster-" + Guid.NewGuid().ToString("N"));
    private readonly string _database;

    public GatewayCluster(string database, string redis, string redisPrefix, TimeSpan? lease = null)
    {
        _database = database;
        Variables = new(StringComparer.Ordinal)
        {
            ["TOLLGATE_DATABASE"] = database,
            // A loaded test machine can hold a script call past the 2 s default: that would be a
            // (correct) 503, but not what these tests measure.
            ["TOLLGATE_REDIS"] = redis + ",asyncTimeout=15000",
            ["TOLLGATE_REDIS_PREFIX"] = redisPrefix,
            ["TOLLGATE_KEY_PEPPER"] = "cluster-test-pepper-0123456789abcdef",
            ["TOLLGATE_Cluster__VersionCheckInterval"] = "00:00:00.200",
        };
        if (lease is { } l) Variables["TOLLGATE_Redis__Lease"] = l.ToString("c", CultureInfo.InvariantCulture);
    }

    public Dictionary<string, string> Variables { get; }

    /// <summary>Variables for one node only (by index), over <see cref="Variables"/>: e.g. its own way to Redis.</summary>
    public Dictionary<int, Dictionary<string, string>> NodeVariables { get; } = [];

    public List<GatewayProcess> Nodes { get; } = [];

    /// <summary>Starts the first node (it creates the schema), then the others side by side.</summary>
    public async Task StartAsync(int count)
    {
        Nodes.AddRange(Enumerable.Range(0, count).Select(i => Node(i)));
        await Nodes[0].StartAsync();
        await Task.WhenAll(Nodes.Skip(1).Select(n => n.StartAsync()));
    }

    public async Task RestartAsync(int index)
    {
        await Nodes[index].DisposeAsync();
        Nodes[index] = Node(index);
        await Nodes[index].StartAsync();
    }

    public HttpClient Admin() => Nodes[0].Client(GatewayProcess.AdminToken);

    public Task PutModelAsync(string baseUrl) => PutModelAsync(Model, baseUrl, "1000", "2000");

    /// <summary>A chat model on the stub at <paramref name="baseUrl"/>, priced per 1M tokens.</summary>
    public async Task PutModelAsync(string id, string baseUrl, string input, string output)
    {
        using var admin = Admin();
        var model = new JsonObject
        {
            ["kind"] = "chat",
            ["max_output_tokens"] = 256,
            ["backends"] = new JsonArray(new JsonObject { ["id"] = id + "-b1", ["kind"] = "open_ai", ["base_url"] = baseUrl, ["upstream_model"] = "up-model" }),
            ["price"] = new JsonObject { ["input"] = input, ["output"] = output },
        };
        (await admin.PutAsync($"/admin/v1/models/{id}", JsonBody(model.ToJsonString()))).EnsureSuccessStatusCode();
    }

    /// <summary>A customer with <paramref name="funds"/> granted and one key (its JSON options given); returns the customer id and key.</summary>
    public async Task<(string CustomerId, string Key, string KeyId)> CustomerAsync(string funds, string keyOptions = "{}", string customerOptions = """{"name":"Cluster"}""")
    {
        using var admin = Admin();
        using var customer = await admin.PostAsync("/admin/v1/customers", JsonBody(customerOptions));
        var customerId = JsonNode.Parse(await customer.EnsureSuccessStatusCode().Content.ReadAsStringAsync())!["id"]!.GetValue<string>();
        (await admin.PostAsync($"/admin/v1/customers/{customerId}/grants", JsonBody($$"""{"amount":"{{funds}}"}"""))).EnsureSuccessStatusCode();
        using var key = await admin.PostAsync($"/admin/v1/customers/{customerId}/keys", JsonBody(keyOptions));
        var created = JsonNode.Parse(await key.EnsureSuccessStatusCode().Content.ReadAsStringAsync())!;
        return (customerId, created["key"]!.GetValue<string>(), created["api_key"]!["id"]!.GetValue<string>());
    }

    /// <summary>A plan on the load model, one unit a request, with one session window of <paramref name="size"/> units; the customer subscribes to it.</summary>
    public async Task SubscribeAsync(string customerId, long size)
    {
        using var admin = Admin();
        var plan = $$"""
            {"name":"Window","monthly_price":"1","models":["{{Model}}"],"windows":[{"name":"5h","kind":"session","duration_minutes":300,"size":{{size}}}],
             "model_weights":{},"unit_size":1000,"overage":"block"}
            """;
        (await admin.PutAsync("/admin/v1/plans/window-" + customerId, JsonBody(plan))).EnsureSuccessStatusCode();
        (await admin.PostAsync($"/admin/v1/customers/{customerId}/subscription", JsonBody($$"""{"plan_id":"window-{{customerId}}"}"""))).EnsureSuccessStatusCode();
    }

    /// <summary>The subscription's windows as <c>/v1/account</c> on node <paramref name="node"/> shows them.</summary>
    public async Task<JsonArray?> WindowsAsync(int node, string key)
    {
        using var client = Nodes[node].Client(key);
        var account = JsonNode.Parse(await (await client.GetAsync("/v1/account")).EnsureSuccessStatusCode().Content.ReadAsStringAsync())!;
        return account["subscription"]?["windows"]?.AsArray();
    }

    /// <summary>Units of each usage event of the customer (request id → units), straight from PostgreSQL.</summary>
    public async Task<Dictionary<string, long>> UnitsAsync(string customerId)
    {
        await using var connection = new NpgsqlConnection(_database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT request_id, units FROM usage_events WHERE customer_id = @c", connection);
        command.Parameters.AddWithValue("c", customerId);
        var units = new Dictionary<string, long>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) units[reader.GetString(0)] = reader.GetInt64(1);
        return units;
    }

    /// <summary>Waits until every node knows the key (the catalog version check).</summary>
    public async Task WaitForKeyAsync(string key)
    {
        foreach (var node in Nodes)
        {
            using var client = node.Client(key);
            for (var i = 0; (await client.GetAsync("/v1/models")).StatusCode != HttpStatusCode.OK; i++)
            {
                if (i > 200) throw new TimeoutException("A node never saw the new key.");
                await Task.Delay(50);
            }
        }
    }

    /// <summary>One chat call; returns its status, request id and error code.</summary>
    public static async Task<Call> ChatAsync(HttpClient client, string model = Model)
    {
        try
        {
            using var response = await client.PostAsync("/v1/chat/completions",
                JsonBody($$"""{"model":"{{model}}","max_tokens":16,"messages":[{"role":"user","content":"hi"}]}"""));
            var body = await response.Content.ReadAsStringAsync();
            var id = response.Headers.TryGetValues("x-request-id", out var ids) ? ids.Single() : null;
            string? code = null;
            if (response.StatusCode != HttpStatusCode.OK) code = JsonNode.Parse(body)?["error"]?["code"]?.GetValue<string>();
            var complete = response.StatusCode == HttpStatusCode.OK && body.Contains("\"usage\"", StringComparison.Ordinal);
            return new Call(response.StatusCode, id, code, complete);
        }
        catch (HttpRequestException)
        {
            return new Call(0, null, "connection", false);
        }
        catch (TaskCanceledException)
        {
            return new Call(0, null, "timeout", false);
        }
    }

    /// <summary>Usage events (request id → charged amount) and usage ledger entries per reference, straight from PostgreSQL.</summary>
    public async Task<(Dictionary<string, decimal> Events, Dictionary<string, int> Ledger)> BooksAsync(string customerId)
    {
        await using var connection = new NpgsqlConnection(_database);
        await connection.OpenAsync();
        var events = new Dictionary<string, decimal>(StringComparer.Ordinal);
        await using (var command = new NpgsqlCommand("SELECT request_id, charged_amount FROM usage_events WHERE customer_id = @c", connection))
        {
            command.Parameters.AddWithValue("c", customerId);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync()) events[reader.GetString(0)] = decimal.Parse(reader.GetString(1), CultureInfo.InvariantCulture);
        }
        var ledger = new Dictionary<string, int>(StringComparer.Ordinal);
        await using (var command = new NpgsqlCommand("SELECT reference FROM ledger_entries WHERE kind = 3 AND customer_id = @c", connection))
        {
            command.Parameters.AddWithValue("c", customerId);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync()) ledger[reader.GetString(0)] = ledger.GetValueOrDefault(reader.GetString(0)) + 1;
        }
        return (events, ledger);
    }

    /// <summary>The customer's balance by the ledger in PostgreSQL.</summary>
    public async Task<decimal> LedgerBalanceAsync(string customerId)
    {
        await using var connection = new NpgsqlConnection(_database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT COALESCE(SUM(amount::numeric), 0)::text FROM ledger_entries WHERE customer_id = @c", connection);
        command.Parameters.AddWithValue("c", customerId);
        return decimal.Parse((string)(await command.ExecuteScalarAsync())!, CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// One of the customer's shared accounts in Redis (<c>w</c>, <c>kl:&lt;key&gt;</c>, …): its balance and what live holds
    /// keep from it, in dollars (a hold past its lease counts for nothing, as the scripts prune it lazily).
    /// </summary>
    public static async Task<(decimal Balance, decimal Held)> SharedAccountAsync(string redis, string prefix, string customerId, string name)
    {
        await using var connection = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(redis);
        var result = (StackExchange.Redis.RedisResult[])(await connection.GetDatabase().ScriptEvaluateAsync("""
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            local held = 0
            for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1] .. ':e', '(' .. now, '+inf')) do
              held = held + tonumber(redis.call('HGET', KEYS[1] .. ':h', id) or '0')
            end
            return {redis.call('HGET', KEYS[1], 'b') or '0', tostring(held)}
            """, [(StackExchange.Redis.RedisKey)$"{prefix}{{{customerId}}}:a:{name}"]))!;
        return (long.Parse((string)result[0]!, CultureInfo.InvariantCulture) / 1_000_000_000m, decimal.Parse((string)result[1]!, CultureInfo.InvariantCulture) / 1_000_000_000m);
    }

    public async Task<Cli.CliResult> ReconcileAsync() =>
        await Cli.TollgateProcess.RunAsync(new Dictionary<string, string> { ["TOLLGATE_ADMIN_TOKEN"] = GatewayProcess.AdminToken }, "reconcile", "--server", Nodes.First(n => !n.HasExited).Url);

    public async ValueTask DisposeAsync()
    {
        foreach (var node in Nodes) await node.DisposeAsync();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private GatewayProcess Node(int index)
    {
        var node = new GatewayProcess(Path.Combine(_root, "node" + index));
        foreach (var (name, value) in Variables) node.Variables[name] = value;
        foreach (var (name, value) in NodeVariables.GetValueOrDefault(index) ?? []) node.Variables[name] = value;
        return node;
    }
}

internal sealed record Call(HttpStatusCode Status, string? RequestId, string? Code, bool Complete);
