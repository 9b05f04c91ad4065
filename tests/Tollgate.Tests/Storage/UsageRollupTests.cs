using System.Reflection;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;
using Tollgate.Billing;
using Tollgate.Billing.Pricing;
using Tollgate.Storage.Sqlite;
using Tollgate.Tests.Admin;
using Tollgate.Tests.Infrastructure;
using static Tollgate.Tests.Invoicing.InvoiceScene;

namespace Tollgate.Tests.Storage;

/// <summary>The usage writer's rollups always equal the usage events they sum, under concurrent traffic and after an upgrade.</summary>
public sealed class UsageRollupTests
{
    private static readonly DateTimeOffset October = new(2026, 10, 5, 12, 0, 0, TimeSpan.Zero);

    /// <summary>What one rollup row (or the events it sums) says, per customer, day, model, backend and price version.</summary>
    private sealed record Totals(long Requests, long Input, long Cached, long Output, long Reasoning, decimal List, decimal Charged, decimal Cost);

    [Fact]
    public async Task Rollups_ConcurrentTrafficAndDirectEvents_EqualSumOfUsageEvents()
    {
        await using var scene = await StartAsync(October);
        var keys = new List<(string Customer, string Key)>();
        for (var i = 0; i < 3; i++) keys.Add(await scene.CustomerAsync());

        // Gateway traffic: waves of 12 concurrent requests (same size within a wave, so the stub's answer does not matter which sets it) ...
        var traffic = Task.Run(async () =>
        {
            for (var wave = 1; wave <= 4; wave++)
            {
                var size = wave;
                await Task.WhenAll(keys.SelectMany(k => Enumerable.Range(0, 4).Select(_ => scene.ChatAsync(k.Key, input: 1_000 * size, output: 100 * size, cached: 10 * size))));
            }
        });
        // ... while usage of other days arrives straight at the writer, spread over days and customers.
        var direct = Task.WhenAll(Enumerable.Range(0, 60).Select(i => scene.RecordUsageAsync(keys[i % 3].Customer, October.AddHours(i * 7),
            new TokenUsage(1_000 + i, i, 10 * i))));
        await Task.WhenAll(traffic, direct);

        await using var connection = await scene.OpenDatabaseAsync();
        var events = await EventTotalsAsync(connection);
        var rollups = await RollupTotalsAsync(connection);

        Assert.Equal(48 + 60, events.Values.Sum(t => t.Requests));
        Assert.True(events.Count > 10, $"{events.Count} groups");
        Assert.Equal(events.OrderBy(e => e.Key), rollups.OrderBy(r => r.Key));
    }

    [Fact]
    public async Task Start_DatabaseFromBeforeRollups_RollupsRebuiltFromEvents()
    {
        var old = Path.Combine(Path.GetTempPath(), "tollgate-tests", Guid.NewGuid().ToString("N"), "v5.db");
        Directory.CreateDirectory(Path.GetDirectoryName(old)!);
        decimal charged;
        await using (var scene = await StartAsync(October))
        {
            var (customer, key) = await scene.CustomerAsync();
            // 1,000,000 input × $2/M + 100,000 output × $8/M = $2.80, plus $1.00 of usage on 31 October: $3.80.
            await scene.ChatAsync(key, input: 1_000_000, output: 100_000);
            charged = 2.80m + await scene.RecordUsageAsync(customer, new DateTimeOffset(2026, 10, 31, 9, 0, 0, TimeSpan.Zero), new TokenUsage(250_000, 0, 62_500));
            await WriteSchema5CopyAsync(scene.App.DatabasePath, old);
        }
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 2, 0, 0, 0, TimeSpan.Zero));
        await using var upgraded = new TollgateFactory(time, demo: false);
        Directory.CreateDirectory(upgraded.DataDir);
        File.Move(old, upgraded.DatabasePath);
        Directory.Delete(Path.GetDirectoryName(old)!, recursive: true);

        using var admin = upgraded.AdminClient();
        var customerId = (await admin.GetJsonAsync("/admin/v1/customers")).Data().Single()!["id"]!.GetValue<string>();
        await using var connection = new SqliteConnection($"Data Source={upgraded.DatabasePath};Pooling=False");
        await connection.OpenAsync();
        var events = await EventTotalsAsync(connection);
        var rollups = await RollupTotalsAsync(connection);
        var run = await admin.PostJsonAsync("/admin/v1/invoice-runs", $$"""{"period":"2026-10","customer_id":"{{customerId}}"}""", System.Net.HttpStatusCode.Accepted);
        for (var i = 0; i < 200 && run["status"]!.GetValue<string>() == "running"; i++)
        {
            await Task.Delay(20);
            run = await admin.GetJsonAsync($"/admin/v1/invoice-runs/{run.Id()}");
        }
        var draft = (await admin.GetJsonAsync($"/admin/v1/invoices?customer_id={customerId}&period=2026-10")).Data().Single()!;

        Assert.Equal(SqliteMigrations.LatestVersion, await SqliteMigrations.CurrentVersionAsync(connection));
        Assert.Equal(2, events.Values.Sum(t => t.Requests));
        Assert.Equal(events.OrderBy(e => e.Key), rollups.OrderBy(r => r.Key));
        Assert.Equal(charged, Amount(draft, "total"));
    }

    /// <summary>A database as a build before schema 6 wrote it: the first five steps, holding every row of those tables that <paramref name="source"/> has.</summary>
    private static async Task WriteSchema5CopyAsync(string source, string target)
    {
        var steps = (string[])typeof(SqliteMigrations).GetField("Steps", BindingFlags.NonPublic | BindingFlags.Static)!.GetValue(null)!;
        Assert.Equal(SqliteMigrations.RollupsVersion, Array.FindIndex(steps, s => s.Contains("CREATE TABLE usage_rollups", StringComparison.Ordinal)) + 1);
        await using var connection = new SqliteConnection($"Data Source={target};Pooling=False");
        await connection.OpenAsync();
        for (var version = 1; version < SqliteMigrations.RollupsVersion; version++) await ExecuteAsync(connection, steps[version - 1] + $"\nPRAGMA user_version = {version};");
        await ExecuteAsync(connection, $"PRAGMA foreign_keys = OFF; ATTACH DATABASE '{source.Replace("'", "''", StringComparison.Ordinal)}' AS old;");
        var tables = new List<string>();
        await using (var list = await CommandAsync(connection, "SELECT name FROM main.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"))
        {
            while (await list.ReadAsync()) tables.Add(list.GetString(0));
        }
        foreach (var table in tables)
        {
            var columns = new List<string>();
            await using (var info = await CommandAsync(connection, $"SELECT name FROM pragma_table_info('{table}')"))
            {
                while (await info.ReadAsync()) columns.Add($"\"{info.GetString(0)}\"");
            }
            var names = string.Join(", ", columns);
            await ExecuteAsync(connection, $"INSERT INTO main.\"{table}\" ({names}) SELECT {names} FROM old.\"{table}\"");
        }
        await ExecuteAsync(connection, "DETACH DATABASE old;");
    }

    private static async Task<Dictionary<string, Totals>> EventTotalsAsync(SqliteConnection connection)
    {
        var totals = new Dictionary<string, Totals>();
        await using var reader = await CommandAsync(connection, """
            SELECT customer_id, completed_at, model_id, COALESCE(backend_id, ''), COALESCE(price_version, 0), input_tokens, cached_input_tokens,
                   output_tokens, reasoning_tokens, list_amount, charged_amount, cost_to_serve
            FROM usage_events
            """);
        while (await reader.ReadAsync())
        {
            var day = SqliteUsageRollups.DayOf(DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1)));
            var key = $"{reader.GetString(0)} {day} {reader.GetString(2)} {reader.GetString(3)} {reader.GetInt64(4)}";
            var row = new Totals(1, reader.GetInt64(5), reader.GetInt64(6), reader.GetInt64(7), reader.GetInt64(8),
                Money.Parse(reader.GetString(9)), Money.Parse(reader.GetString(10)), Money.Parse(reader.GetString(11)));
            totals[key] = totals.TryGetValue(key, out var seen) ? Add(seen, row) : row;
        }
        return totals;
    }

    /// <summary>Rollup rows summed over billing period (usage of one day can be billed in two periods around a finalization).</summary>
    private static async Task<Dictionary<string, Totals>> RollupTotalsAsync(SqliteConnection connection)
    {
        var totals = new Dictionary<string, Totals>();
        await using var reader = await CommandAsync(connection, """
            SELECT customer_id, day, model_id, backend_id, price_version, requests, input_tokens, cached_input_tokens, output_tokens, reasoning_tokens,
                   list_amount, charged_amount, cost_to_serve
            FROM usage_rollups
            """);
        while (await reader.ReadAsync())
        {
            var key = $"{reader.GetString(0)} {reader.GetString(1)} {reader.GetString(2)} {reader.GetString(3)} {reader.GetInt64(4)}";
            var row = new Totals(reader.GetInt64(5), reader.GetInt64(6), reader.GetInt64(7), reader.GetInt64(8), reader.GetInt64(9),
                Money.Parse(reader.GetString(10)), Money.Parse(reader.GetString(11)), Money.Parse(reader.GetString(12)));
            totals[key] = totals.TryGetValue(key, out var seen) ? Add(seen, row) : row;
        }
        return totals;
    }

    private static Totals Add(Totals a, Totals b) => new(a.Requests + b.Requests, a.Input + b.Input, a.Cached + b.Cached, a.Output + b.Output,
        a.Reasoning + b.Reasoning, a.List + b.List, a.Charged + b.Charged, a.Cost + b.Cost);

    private static async Task<SqliteDataReader> CommandAsync(SqliteConnection connection, string sql)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteReaderAsync();
    }

    private static async Task ExecuteAsync(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }
}
