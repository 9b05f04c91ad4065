using System.Data.Common;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Tollgate.Billing;
using Tollgate.Billing.Invoices;
using Tollgate.Billing.Pricing;
using static Tollgate.Storage.Sql.SqlWrites;

namespace Tollgate.Storage.Sqlite;

/// <summary>
/// Keeps <c>usage_rollups</c> — usage per customer, billing period, day, model, backend and price
/// version — current inside the usage writer's own transaction, so invoices and reports never
/// rescan raw events. Sums are decimal, added here (SQLite would add them as floats); the rows
/// this writer last wrote are kept in memory so a batch reads only rows it has not seen.
/// Usage of a month whose invoice is already finalized is billed in the next open period.
/// </summary>
internal sealed class SqliteUsageRollups(TimeProvider time)
{
    private const int MaxCachedRows = 100_000;
    private readonly Dictionary<RollupKey, RollupTotals> _cache = [];

    internal readonly record struct RollupKey(string CustomerId, string BillingPeriod, string Day, string ModelId, string BackendId, long PriceVersion);

    internal sealed class RollupTotals
    {
        public long Requests;
        public long InputTokens;
        public long CachedInputTokens;
        public long OutputTokens;
        public long ReasoningTokens;
        public long CacheWriteTokens;
        public long Units;
        public decimal ListAmount;
        public decimal ChargedAmount;
        public decimal CostToServe;

        public RollupTotals Copy() => (RollupTotals)MemberwiseClone();

        public void Add(UsageEvent usage) => Add(usage.Tokens, usage.Units, usage.ListAmount, usage.ChargedAmount, usage.CostToServe);

        public void Add(TokenUsage tokens, long units, decimal list, decimal charged, decimal cost)
        {
            Requests++;
            InputTokens += tokens.InputTokens;
            CachedInputTokens += tokens.CachedInputTokens;
            OutputTokens += tokens.OutputTokens;
            ReasoningTokens += tokens.ReasoningTokens;
            CacheWriteTokens += tokens.CacheWriteTokens;
            Units += units;
            ListAmount += list;
            ChargedAmount += charged;
            CostToServe += cost;
        }

        public UsageRollup ToRollup(string modelId, long priceVersion, BillingPeriod usagePeriod) =>
            new(modelId, priceVersion == 0 ? null : priceVersion, usagePeriod, Requests,
                new TokenUsage(InputTokens, CachedInputTokens, OutputTokens, ReasoningTokens, CacheWriteTokens), ListAmount, ChargedAmount);
    }

    /// <summary>Adds the events (those just inserted) to their rollup rows; returns the rows to remember once committed.</summary>
    public Dictionary<RollupKey, RollupTotals> Add(SqliteConnection connection, SqliteTransaction transaction, IReadOnlyList<UsageEvent> inserted)
    {
        var changed = new Dictionary<RollupKey, RollupTotals>();
        if (inserted.Count == 0) return changed;
        var current = BillingPeriod.Of(time.GetUtcNow());
        var billingPeriods = new Dictionary<(string, BillingPeriod), BillingPeriod>();
        foreach (var usage in inserted)
        {
            var month = BillingPeriod.Of(usage.CompletedAt);
            if (!billingPeriods.TryGetValue((usage.CustomerId, month), out var billed))
            {
                // Only a past month can have a finalized invoice: the current month's usage needs no lookup.
                billed = month < current ? BillingPeriodFor(connection, transaction, usage.CustomerId, month) : month;
                billingPeriods[(usage.CustomerId, month)] = billed;
            }
            var key = KeyOf(usage, billed);
            if (!changed.TryGetValue(key, out var totals))
            {
                totals = _cache.TryGetValue(key, out var cached) ? cached.Copy() : Read(connection, transaction, key) ?? new RollupTotals();
                changed[key] = totals;
            }
            totals.Add(usage);
        }
        Write(connection, transaction, changed);
        return changed;
    }

    /// <summary>Called after the transaction that wrote <paramref name="changed"/> committed.</summary>
    public void Committed(Dictionary<RollupKey, RollupTotals> changed)
    {
        if (_cache.Count + changed.Count > MaxCachedRows) _cache.Clear();
        foreach (var (key, totals) in changed) _cache[key] = totals;
    }

    /// <summary>Rebuilds every rollup from the usage events (after the table was added, or on an operator's request).</summary>
    public static async Task<int> RebuildAsync(SqliteConnection connection, CancellationToken cancellationToken = default)
    {
        using var transaction = connection.BeginTransaction(deferred: false);
        await Command(connection, transaction, "DELETE FROM usage_rollups").ExecuteNonQueryAsync(cancellationToken);
        var finalized = new Dictionary<string, BillingPeriod>(StringComparer.Ordinal);
        await using (var reader = await Command(connection, transaction,
            "SELECT customer_id, MAX(period) FROM invoices WHERE status IN ('finalized', 'paid') GROUP BY customer_id").ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken)) finalized[reader.GetString(0)] = BillingPeriod.Parse(reader.GetString(1));
        }
        var rows = new Dictionary<RollupKey, RollupTotals>();
        var count = 0;
        await using (var reader = await Command(connection, transaction, """
            SELECT customer_id, model_id, backend_id, price_version, input_tokens, cached_input_tokens, output_tokens, reasoning_tokens,
                   units, list_amount, charged_amount, cost_to_serve, completed_at, cache_write_tokens
            FROM usage_events
            """).ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                var completed = UnixTime.FromStored(reader.GetInt64(12));
                var customer = reader.GetString(0);
                var month = BillingPeriod.Of(completed);
                var billed = finalized.TryGetValue(customer, out var last) && last >= month ? last.Next : month;
                var key = new RollupKey(customer, billed.ToString(), DayOf(completed), reader.GetString(1),
                    reader.IsDBNull(2) ? "" : reader.GetString(2), reader.IsDBNull(3) ? 0 : reader.GetInt64(3));
                if (!rows.TryGetValue(key, out var totals)) rows[key] = totals = new RollupTotals();
                totals.Add(new TokenUsage(reader.GetInt64(4), reader.GetInt64(5), reader.GetInt64(6), reader.GetInt64(7), reader.GetInt64(13)), reader.GetInt64(8),
                    Money.Parse(reader.GetString(9)), Money.Parse(reader.GetString(10)), Money.Parse(reader.GetString(11)));
                count++;
            }
        }
        Write(connection, transaction, rows);
        transaction.Commit();
        return count;
    }

    public static string DayOf(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static RollupKey KeyOf(UsageEvent usage, BillingPeriod billed) =>
        new(usage.CustomerId, billed.ToString(), DayOf(usage.CompletedAt), usage.ModelId, usage.BackendId ?? "", usage.PriceVersion ?? 0);

    /// <summary>The month's own period, unless it (or a later one) is finalized: then the first period after the last finalized one.</summary>
    private static BillingPeriod BillingPeriodFor(SqliteConnection connection, SqliteTransaction transaction, string customerId, BillingPeriod month)
    {
        var select = Command(connection, transaction, "SELECT MAX(period) FROM invoices WHERE customer_id = $customer AND status IN ('finalized', 'paid')");
        select.Bind("$customer", customerId);
        return select.ExecuteScalar() is string last && BillingPeriod.Parse(last) is var finalized && finalized >= month ? finalized.Next : month;
    }

    private static RollupTotals? Read(SqliteConnection connection, SqliteTransaction transaction, RollupKey key)
    {
        var select = Command(connection, transaction, """
            SELECT requests, input_tokens, cached_input_tokens, output_tokens, reasoning_tokens, units, list_amount, charged_amount, cost_to_serve,
                   cache_write_tokens
            FROM usage_rollups
            WHERE customer_id = $customer AND billing_period = $period AND day = $day AND model_id = $model AND backend_id = $backend AND price_version = $version
            """);
        Bind(select, key);
        using var reader = select.ExecuteReader();
        if (!reader.Read()) return null;
        return new RollupTotals
        {
            Requests = reader.GetInt64(0),
            InputTokens = reader.GetInt64(1),
            CachedInputTokens = reader.GetInt64(2),
            OutputTokens = reader.GetInt64(3),
            ReasoningTokens = reader.GetInt64(4),
            Units = reader.GetInt64(5),
            ListAmount = Money.Parse(reader.GetString(6)),
            ChargedAmount = Money.Parse(reader.GetString(7)),
            CostToServe = Money.Parse(reader.GetString(8)),
            CacheWriteTokens = reader.GetInt64(9),
        };
    }

    private static void Write(SqliteConnection connection, SqliteTransaction transaction, Dictionary<RollupKey, RollupTotals> rows)
    {
        using var upsert = Command(connection, transaction, """
            INSERT INTO usage_rollups (customer_id, billing_period, day, model_id, backend_id, price_version, requests, input_tokens,
                cached_input_tokens, output_tokens, reasoning_tokens, units, list_amount, charged_amount, cost_to_serve, cache_write_tokens)
            VALUES ($customer, $period, $day, $model, $backend, $version, $requests, $input, $cached, $output, $reasoning, $units, $list, $charged, $cost,
                $cacheWrite)
            ON CONFLICT (customer_id, billing_period, day, model_id, backend_id, price_version) DO UPDATE SET
                requests = excluded.requests, input_tokens = excluded.input_tokens, cached_input_tokens = excluded.cached_input_tokens,
                output_tokens = excluded.output_tokens, reasoning_tokens = excluded.reasoning_tokens, units = excluded.units,
                list_amount = excluded.list_amount, charged_amount = excluded.charged_amount, cost_to_serve = excluded.cost_to_serve,
                cache_write_tokens = excluded.cache_write_tokens
            """);
        foreach (var (key, totals) in rows)
        {
            upsert.Parameters.Clear();
            Bind(upsert, key);
            upsert.Bind("$requests", totals.Requests);
            upsert.Bind("$input", totals.InputTokens);
            upsert.Bind("$cached", totals.CachedInputTokens);
            upsert.Bind("$output", totals.OutputTokens);
            upsert.Bind("$reasoning", totals.ReasoningTokens);
            upsert.Bind("$cacheWrite", totals.CacheWriteTokens);
            upsert.Bind("$units", totals.Units);
            upsert.Bind("$list", Money.Format(totals.ListAmount));
            upsert.Bind("$charged", Money.Format(totals.ChargedAmount));
            upsert.Bind("$cost", Money.Format(totals.CostToServe));
            upsert.ExecuteNonQuery();
        }
    }

    private static void Bind(DbCommand command, RollupKey key)
    {
        command.Bind("$customer", key.CustomerId);
        command.Bind("$period", key.BillingPeriod);
        command.Bind("$day", key.Day);
        command.Bind("$model", key.ModelId);
        command.Bind("$backend", key.BackendId);
        command.Bind("$version", key.PriceVersion);
    }
}
