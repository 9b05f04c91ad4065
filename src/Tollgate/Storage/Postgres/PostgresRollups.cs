using Npgsql;
using Tollgate.Billing;
using Tollgate.Billing.Invoices;
using Tollgate.Storage.Sqlite;

namespace Tollgate.Storage.Postgres;

/// <summary>
/// Adds committed usage to <c>usage_rollups</c> in the writer's transaction. Totals are added by
/// PostgreSQL itself (<c>numeric</c> is exact), so writers on several nodes never overwrite each
/// other. Usage of a month whose invoice is finalized goes to the next open period; that check
/// holds the customer's billing lock, which invoice runs take too, so the two never interleave.
/// </summary>
internal static class PostgresRollups
{
    public static async Task AddAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, List<UsageEvent> stored, BillingPeriod current)
    {
        if (stored.Count == 0) return;
        var billed = new Dictionary<(string, BillingPeriod), BillingPeriod>();
        // Only a past month can have a finalized invoice; customers are locked in one order so writers never deadlock.
        foreach (var (customer, month) in stored.Select(u => (u.CustomerId, Month: BillingPeriod.Of(u.CompletedAt))).Where(m => m.Month < current)
            .Distinct().OrderBy(m => m.CustomerId, StringComparer.Ordinal).ThenBy(m => m.Month))
        {
            await PostgresBillingLock.TakeAsync(connection, transaction, customer);
            billed[(customer, month)] = await BillingPeriodForAsync(connection, transaction, customer, month);
        }
        var rows = new SortedDictionary<string, (SqliteUsageRollups.RollupKey Key, SqliteUsageRollups.RollupTotals Totals)>(StringComparer.Ordinal);
        foreach (var usage in stored)
        {
            var month = BillingPeriod.Of(usage.CompletedAt);
            var period = billed.GetValueOrDefault((usage.CustomerId, month), month);
            var key = new SqliteUsageRollups.RollupKey(usage.CustomerId, period.ToString(), SqliteUsageRollups.DayOf(usage.CompletedAt), usage.ModelId,
                usage.BackendId ?? "", usage.PriceVersion ?? 0);
            var sortKey = string.Join('\u0001', key.CustomerId, key.BillingPeriod, key.Day, key.ModelId, key.BackendId, key.PriceVersion);
            if (!rows.TryGetValue(sortKey, out var row)) rows[sortKey] = row = (key, new SqliteUsageRollups.RollupTotals());
            row.Totals.Add(usage);
        }
        var list = rows.Values.ToList();
        await using var upsert = new NpgsqlCommand("""
            INSERT INTO usage_rollups (customer_id, billing_period, day, model_id, backend_id, price_version, requests, input_tokens,
                cached_input_tokens, output_tokens, reasoning_tokens, units, list_amount, charged_amount, cost_to_serve, cache_write_tokens)
            SELECT * FROM unnest(@customer, @period, @day, @model, @backend, @version, @requests, @input, @cached, @output, @reasoning, @units,
                @list, @charged, @cost, @cacheWrite)
            ON CONFLICT (customer_id, billing_period, day, model_id, backend_id, price_version) DO UPDATE SET
                requests = usage_rollups.requests + excluded.requests,
                input_tokens = usage_rollups.input_tokens + excluded.input_tokens,
                cached_input_tokens = usage_rollups.cached_input_tokens + excluded.cached_input_tokens,
                output_tokens = usage_rollups.output_tokens + excluded.output_tokens,
                reasoning_tokens = usage_rollups.reasoning_tokens + excluded.reasoning_tokens,
                cache_write_tokens = usage_rollups.cache_write_tokens + excluded.cache_write_tokens,
                units = usage_rollups.units + excluded.units,
                list_amount = (usage_rollups.list_amount::numeric + excluded.list_amount::numeric)::text,
                charged_amount = (usage_rollups.charged_amount::numeric + excluded.charged_amount::numeric)::text,
                cost_to_serve = (usage_rollups.cost_to_serve::numeric + excluded.cost_to_serve::numeric)::text
            """, connection, transaction);
        PostgresUsageWriter.Text(upsert, "customer", list, r => r.Key.CustomerId);
        PostgresUsageWriter.Text(upsert, "period", list, r => r.Key.BillingPeriod);
        PostgresUsageWriter.Text(upsert, "day", list, r => r.Key.Day);
        PostgresUsageWriter.Text(upsert, "model", list, r => r.Key.ModelId);
        PostgresUsageWriter.Text(upsert, "backend", list, r => r.Key.BackendId);
        PostgresUsageWriter.Long(upsert, "version", list, r => r.Key.PriceVersion);
        PostgresUsageWriter.Long(upsert, "requests", list, r => r.Totals.Requests);
        PostgresUsageWriter.Long(upsert, "input", list, r => r.Totals.InputTokens);
        PostgresUsageWriter.Long(upsert, "cached", list, r => r.Totals.CachedInputTokens);
        PostgresUsageWriter.Long(upsert, "output", list, r => r.Totals.OutputTokens);
        PostgresUsageWriter.Long(upsert, "reasoning", list, r => r.Totals.ReasoningTokens);
        PostgresUsageWriter.Long(upsert, "cacheWrite", list, r => r.Totals.CacheWriteTokens);
        PostgresUsageWriter.Long(upsert, "units", list, r => r.Totals.Units);
        PostgresUsageWriter.Text(upsert, "list", list, r => Money.Format(r.Totals.ListAmount));
        PostgresUsageWriter.Text(upsert, "charged", list, r => Money.Format(r.Totals.ChargedAmount));
        PostgresUsageWriter.Text(upsert, "cost", list, r => Money.Format(r.Totals.CostToServe));
        await upsert.ExecuteNonQueryAsync();
    }

    /// <summary>The month's own period, unless it (or a later one) is finalized: then the first period after the last finalized one.</summary>
    private static async Task<BillingPeriod> BillingPeriodForAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string customerId, BillingPeriod month)
    {
        await using var select = new NpgsqlCommand("SELECT MAX(period) FROM invoices WHERE customer_id = @customer AND status IN ('finalized', 'paid')",
            connection, transaction);
        select.Parameters.AddWithValue("customer", customerId);
        return await select.ExecuteScalarAsync() is string last && BillingPeriod.Parse(last) is var finalized && finalized >= month ? finalized.Next : month;
    }
}
