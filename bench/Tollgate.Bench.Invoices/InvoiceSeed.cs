using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Tollgate.Billing;
using Tollgate.Billing.Invoices;
using Tollgate.Billing.Ledger;
using Tollgate.Billing.Pricing;
using Tollgate.Hosting;
using Tollgate.Storage;
using Tollgate.Storage.Sqlite;

namespace Tollgate.Bench.Invoices;

/// <summary>What seeding wrote, for the report and for checking the invoices afterwards.</summary>
internal sealed record SeedResult(string DemoApiKey, int Customers, int Events, decimal Charged, TimeSpan CustomersTime, TimeSpan EventsTime, TimeSpan RollupsTime);

/// <summary>
/// A data directory with the demo catalog, <c>customers</c> postpaid customers and <c>events</c>
/// usage events spread over one past month, written in bulk the way the usage writer
/// writes them (an event and its ledger usage entry), then the rollups rebuilt from the events by
/// <see cref="SqliteUsageRollups.RebuildAsync"/>, so the invoice run reads what production would.
/// </summary>
internal static class InvoiceSeed
{
    private const int BatchSize = 50_000;

    public static async Task<SeedResult> RunAsync(ServeSettings settings, BillingPeriod period, int customers, int events, Action<string> log)
    {
        var first = await Bootstrap.RunAsync(settings, TimeProvider.System, _ => { });
        var demoKey = first.DemoApiKey ?? throw new InvalidOperationException("The data directory was not new: pass an empty --data-dir.");
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = settings.DatabasePath, Pooling = false }.ToString());
        await connection.OpenAsync();
        using (var pragma = connection.CreateCommand())
        {
            pragma.CommandText = "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;";
            await pragma.ExecuteNonQueryAsync();
        }
        var models = await PricesAsync(connection);

        var watch = Stopwatch.StartNew();
        var ids = InsertCustomers(connection, customers, period.Start.AddDays(-7));
        var customersTime = watch.Elapsed;
        log($"  {customers:N0} customers in {customersTime.TotalSeconds:0.0} s");

        watch.Restart();
        var charged = InsertEvents(connection, ids, models, period, events, log);
        var eventsTime = watch.Elapsed;
        log($"  {events:N0} usage events and their ledger entries in {eventsTime.TotalSeconds:0.0} s");

        watch.Restart();
        await SqliteUsageRollups.RebuildAsync(connection);
        var rollupsTime = watch.Elapsed;
        log($"  rollups rebuilt in {rollupsTime.TotalSeconds:0.0} s");
        return new SeedResult(demoKey, customers, events, charged, customersTime, eventsTime, rollupsTime);
    }

    private sealed record PricedModel(string ModelId, string BackendId, long PriceVersion, TokenRates Rates);

    /// <summary>The demo's chat models at their current price versions.</summary>
    private static async Task<PricedModel[]> PricesAsync(SqliteConnection connection)
    {
        using var select = connection.CreateCommand();
        select.CommandText = """
            SELECT p.model_id, b.id, p.version, p.input_per_million, p.cached_input_per_million, p.output_per_million, p.request_fee
            FROM price_cards p JOIN backends b ON b.model_id = p.model_id
            WHERE p.model_id IN ('tg-mini', 'tg-pro') AND p.version = (SELECT MAX(version) FROM price_cards q WHERE q.model_id = p.model_id)
            ORDER BY p.model_id
            """;
        var models = new List<PricedModel>();
        await using var reader = await select.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            models.Add(new PricedModel(reader.GetString(0), reader.GetString(1), reader.GetInt64(2),
                new TokenRates(Money.Parse(reader.GetString(3)), Money.Parse(reader.GetString(4)), Money.Parse(reader.GetString(5)), Money.Parse(reader.GetString(6)))));
        }
        return models.Count == 2 ? [.. models] : throw new InvalidOperationException("The demo models tg-mini and tg-pro were not found.");
    }

    private static string[] InsertCustomers(SqliteConnection connection, int count, DateTimeOffset createdAt)
    {
        var ids = Enumerable.Range(0, count).Select(i => $"cus_bench{i:D6}").ToArray();
        using var transaction = connection.BeginTransaction();
        using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = "INSERT INTO customers (id, name, billing_mode, created_at) VALUES ($id, $name, 'postpaid', $at)";
        var id = insert.Parameters.Add("$id", SqliteType.Text);
        var name = insert.Parameters.Add("$name", SqliteType.Text);
        insert.Parameters.AddWithValue("$at", UnixTime.ToStored(createdAt));
        insert.Prepare();
        for (var i = 0; i < count; i++)
        {
            id.Value = ids[i];
            name.Value = $"Bench customer {i}";
            insert.ExecuteNonQuery();
        }
        transaction.Commit();
        return ids;
    }

    /// <summary>Each event priced exactly as the gateway prices it, so the invoice's usage lines must add up to the returned total.</summary>
    private static decimal InsertEvents(SqliteConnection connection, string[] customers, PricedModel[] models, BillingPeriod period, int count, Action<string> log)
    {
        var random = new Random(20261101);
        var span = (period.End - period.Start).Ticks;
        var total = 0m;
        var completed = StoredNames.Of(UsageStatus.Completed);
        var backend = StoredNames.Of(UsageSource.Backend);
        for (var start = 0; start < count; start += BatchSize)
        {
            using var transaction = connection.BeginTransaction();
            using var usage = connection.CreateCommand();
            usage.Transaction = transaction;
            usage.CommandText = """
                INSERT INTO usage_events (request_id, customer_id, key_id, model_id, backend_id, price_version, input_tokens, cached_input_tokens,
                    output_tokens, reasoning_tokens, units, list_amount, charged_amount, cost_to_serve, status, source, streamed, latency_ms, ttft_ms,
                    started_at, completed_at)
                VALUES ($request, $customer, 'bench', $model, $backend, $version, $input, $cached, $output, 0, 0, $charged, $charged, $cost, $status, $source,
                    0, $latency, NULL, $started, $completed)
                """;
            using var ledger = connection.CreateCommand();
            ledger.Transaction = transaction;
            ledger.CommandText = "INSERT INTO ledger_entries (customer_id, kind, amount, reference, created_at) VALUES ($customer, $kind, $amount, $reference, $at)";
            string[] usageNames = ["$request", "$customer", "$model", "$backend", "$version", "$input", "$cached", "$output", "$charged", "$cost", "$status",
                "$source", "$latency", "$started", "$completed"];
            var u = usageNames.ToDictionary(n => n, n => usage.Parameters.Add(new SqliteParameter { ParameterName = n }));
            string[] ledgerNames = ["$customer", "$kind", "$amount", "$reference", "$at"];
            var l = ledgerNames.ToDictionary(n => n, n => ledger.Parameters.Add(new SqliteParameter { ParameterName = n }));
            u["$status"].Value = completed;
            u["$source"].Value = backend;
            l["$kind"].Value = (int)LedgerEntryKind.Usage;
            usage.Prepare();
            ledger.Prepare();
            for (var i = start; i < Math.Min(start + BatchSize, count); i++)
            {
                // Every customer gets the same number of events, at random times of the month; most use the cheaper model.
                var customer = customers[i % customers.Length];
                var model = models[random.Next(10) < 7 ? 1 : 0];
                var input = random.Next(50, 4000);
                var cached = random.Next(4) == 0 ? input / 2 : 0;
                var output = random.Next(10, 1500);
                var charged = Money.ForTokens(input - cached, model.Rates.InputPerMillion) + Money.ForTokens(cached, model.Rates.CachedInputPerMillion)
                    + Money.ForTokens(output, model.Rates.OutputPerMillion) + model.Rates.RequestFee;
                total += charged;
                var at = period.Start.AddTicks((long)(random.NextDouble() * (span - TimeSpan.TicksPerSecond)));
                var requestId = $"bench-{i:D8}";
                u["$request"].Value = requestId;
                u["$customer"].Value = customer;
                u["$model"].Value = model.ModelId;
                u["$backend"].Value = model.BackendId;
                u["$version"].Value = model.PriceVersion;
                u["$input"].Value = input;
                u["$cached"].Value = cached;
                u["$output"].Value = output;
                u["$charged"].Value = Money.Format(charged);
                u["$cost"].Value = Money.Format(charged / 4);
                u["$latency"].Value = 120;
                u["$started"].Value = UnixTime.ToStored(at.AddMilliseconds(-120));
                u["$completed"].Value = UnixTime.ToStored(at);
                usage.ExecuteNonQuery();
                l["$customer"].Value = customer;
                l["$amount"].Value = Money.Format(-charged);
                l["$reference"].Value = requestId;
                l["$at"].Value = UnixTime.ToStored(at);
                ledger.ExecuteNonQuery();
            }
            transaction.Commit();
            if ((start / BatchSize) % 4 == 3) log($"    {Math.Min(start + BatchSize, count):N0} events");
        }
        return total;
    }
}
