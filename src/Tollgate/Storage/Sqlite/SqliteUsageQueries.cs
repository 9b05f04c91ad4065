using System.Text;
using Tollgate.Billing;
using Tollgate.Billing.Pricing;

namespace Tollgate.Storage.Sqlite;

internal sealed class SqliteUsageQueries(SqliteDatabase database) : IUsageQueries
{
    public async Task<IReadOnlyList<UsageEvent>> ListAsync(UsageFilter filter, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        using var command = connection.CreateCommand();
        var sql = new StringBuilder("""
            SELECT request_id, customer_id, key_id, model_id, backend_id, price_version, input_tokens, cached_input_tokens,
                output_tokens, reasoning_tokens, units, list_amount, charged_amount, cost_to_serve, status, source, streamed,
                latency_ms, ttft_ms, started_at, completed_at
            FROM usage_events WHERE 1 = 1
            """);
        void Where(string column, string name, object? value)
        {
            if (value is null) return;
            sql.Append($" AND {column} {(name.EndsWith("from", StringComparison.Ordinal) ? ">=" : name.EndsWith("to", StringComparison.Ordinal) ? "<" : "=")} ${name}");
            command.Parameters.AddWithValue("$" + name, value);
        }
        Where("customer_id", "customer", filter.CustomerId);
        Where("key_id", "key", filter.KeyId);
        Where("model_id", "model", filter.ModelId);
        Where("backend_id", "backend", filter.BackendId);
        Where("completed_at", "from", filter.From is { } from ? UnixTime.ToStored(from) : null);
        Where("completed_at", "to", filter.To is { } to ? UnixTime.ToStored(to) : null);
        sql.Append(" ORDER BY completed_at DESC, request_id LIMIT $limit");
        command.Parameters.AddWithValue("$limit", filter.Limit);
        command.CommandText = sql.ToString();
        var events = new List<UsageEvent>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            events.Add(new UsageEvent
            {
                RequestId = reader.GetString(0),
                CustomerId = reader.GetString(1),
                KeyId = reader.GetString(2),
                ModelId = reader.GetString(3),
                BackendId = reader.IsDBNull(4) ? null : reader.GetString(4),
                PriceVersion = reader.IsDBNull(5) ? null : reader.GetInt64(5),
                Tokens = new TokenUsage(reader.GetInt64(6), reader.GetInt64(7), reader.GetInt64(8), reader.GetInt64(9)),
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
            });
        }
        return events;
    }
}
