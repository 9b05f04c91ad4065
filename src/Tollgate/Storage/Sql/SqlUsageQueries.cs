using System.Globalization;
using System.Text;
using System.Data.Common;
using Tollgate.Billing;
using Tollgate.Billing.Pricing;

namespace Tollgate.Storage.Sql;

internal sealed class SqlUsageQueries(SqlDatabase database) : IUsageQueries
{
    private const string Columns = """
        request_id, customer_id, key_id, model_id, backend_id, price_version, input_tokens, cached_input_tokens,
        output_tokens, reasoning_tokens, units, list_amount, charged_amount, cost_to_serve, status, source, streamed,
        latency_ms, ttft_ms, started_at, completed_at, cache_write_tokens
        """;

    public async Task<IReadOnlyList<UsageEvent>> ListAsync(UsageFilter filter, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        using var command = connection.CreateCommand();
        var sql = new StringBuilder($"SELECT {Columns} FROM usage_events WHERE 1 = 1");
        AppendFilter(sql, command, filter);
        if (filter.StartingAfter is not null)
        {
            sql.Append(" AND (completed_at, request_id) < (SELECT completed_at, request_id FROM usage_events WHERE request_id = @after)");
            command.Bind("@after", filter.StartingAfter);
        }
        sql.Append(" ORDER BY completed_at DESC, request_id DESC LIMIT @limit");
        command.Bind("@limit", filter.Limit);
        command.CommandText = sql.ToString();
        var events = new List<UsageEvent>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) events.Add(Read(reader));
        return events;
    }

    public async Task<IReadOnlyList<UsageTotals>> SummarizeAsync(UsageFilter filter, UsageGrouping grouping, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        using var command = connection.CreateCommand();
        var sql = new StringBuilder("""
            SELECT customer_id, key_id, model_id, backend_id, completed_at, input_tokens, cached_input_tokens, output_tokens,
                list_amount, charged_amount, cost_to_serve, cache_write_tokens
            FROM usage_events WHERE 1 = 1
            """);
        AppendFilter(sql, command, filter);
        command.CommandText = sql.ToString();
        // Amounts are summed here in decimal: SQL would turn the decimal text into floating point.
        var totals = new SortedDictionary<string, UsageTotals>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var at = UnixTime.FromStored(reader.GetInt64(4));
            var group = grouping switch
            {
                UsageGrouping.Hour => at.ToString("yyyy-MM-ddTHH:00:00Z", CultureInfo.InvariantCulture),
                UsageGrouping.Day => at.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                UsageGrouping.Model => reader.GetString(2),
                UsageGrouping.Customer => reader.GetString(0),
                UsageGrouping.Key => reader.GetString(1),
                _ => reader.IsDBNull(3) ? "none" : reader.GetString(3),
            };
            var sum = totals.GetValueOrDefault(group) ?? new UsageTotals(group, 0, 0, 0, 0, 0, 0, 0);
            totals[group] = sum with
            {
                Requests = sum.Requests + 1,
                InputTokens = sum.InputTokens + reader.GetInt64(5),
                CachedInputTokens = sum.CachedInputTokens + reader.GetInt64(6),
                CacheWriteTokens = sum.CacheWriteTokens + reader.GetInt64(11),
                OutputTokens = sum.OutputTokens + reader.GetInt64(7),
                ListAmount = sum.ListAmount + Money.Parse(reader.GetString(8)),
                ChargedAmount = sum.ChargedAmount + Money.Parse(reader.GetString(9)),
                CostToServe = sum.CostToServe + Money.Parse(reader.GetString(10)),
            };
        }
        return [.. totals.Values];
    }

    private static void AppendFilter(StringBuilder sql, DbCommand command, UsageFilter filter)
    {
        void Equal(string column, string name, string? value)
        {
            if (value is null) return;
            sql.Append(CultureInfo.InvariantCulture, $" AND {column} = @{name}");
            command.Bind("@" + name, value);
        }
        Equal("customer_id", "customer", filter.CustomerId);
        Equal("key_id", "key", filter.KeyId);
        Equal("model_id", "model", filter.ModelId);
        Equal("backend_id", "backend", filter.BackendId);
        if (filter.From is { } from)
        {
            sql.Append(" AND completed_at >= @from");
            command.Bind("@from", UnixTime.ToStored(from));
        }
        if (filter.To is { } to)
        {
            sql.Append(" AND completed_at < @to");
            command.Bind("@to", UnixTime.ToStored(to));
        }
    }

    private static UsageEvent Read(DbDataReader reader) => new()
    {
        RequestId = reader.GetString(0),
        CustomerId = reader.GetString(1),
        KeyId = reader.GetString(2),
        ModelId = reader.GetString(3),
        BackendId = reader.IsDBNull(4) ? null : reader.GetString(4),
        PriceVersion = reader.IsDBNull(5) ? null : reader.GetInt64(5),
        Tokens = new TokenUsage(reader.GetInt64(6), reader.GetInt64(7), reader.GetInt64(8), reader.GetInt64(9), reader.GetInt64(21)),
        Units = reader.GetInt64(10),
        ListAmount = Money.Parse(reader.GetString(11)),
        ChargedAmount = Money.Parse(reader.GetString(12)),
        CostToServe = Money.Parse(reader.GetString(13)),
        Status = StoredNames.Parse<UsageStatus>(reader.GetString(14)),
        Source = StoredNames.Parse<UsageSource>(reader.GetString(15)),
        Streamed = reader.GetInt64(16) != 0,
        LatencyMs = reader.GetInt32(17),
        TimeToFirstTokenMs = reader.IsDBNull(18) ? null : reader.GetInt32(18),
        StartedAt = UnixTime.FromStored(reader.GetInt64(19)),
        CompletedAt = UnixTime.FromStored(reader.GetInt64(20)),
    };
}
