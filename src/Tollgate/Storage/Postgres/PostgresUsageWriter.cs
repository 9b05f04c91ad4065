using System.Threading.Channels;
using Npgsql;
using NpgsqlTypes;
using Tollgate.Billing;
using Tollgate.Billing.Invoices;
using Tollgate.Billing.Ledger;

namespace Tollgate.Storage.Postgres;

/// <summary>
/// Group commit on PostgreSQL: events queue in a channel and one writer per node commits them in
/// batches — events, their ledger entries and rollups — in one transaction of three statements.
/// Several nodes write at once, so rollups are added in SQL (exact <c>numeric</c> arithmetic on the
/// stored decimal text) rather than from a per-node cache, and a duplicate request id, whichever
/// node stored it first, inserts nothing and charges nothing.
/// </summary>
internal sealed partial class PostgresUsageWriter(PostgresDatabase database, TimeProvider time, StorageGuard guard, ILogger<PostgresUsageWriter> logger) : BackgroundService, IUsageRecorder
{
    private const int MaxBatch = 512;

    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });

    private sealed record Pending(UsageEvent Usage, TaskCompletionSource<UsageCommit> Committed);

    public ValueTask<UsageCommit> RecordAsync(UsageEvent usage, CancellationToken cancellationToken = default)
    {
        var pending = new Pending(usage, new TaskCompletionSource<UsageCommit>(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_queue.Writer.TryWrite(pending))
            return ValueTask.FromException<UsageCommit>(new InvalidOperationException("The usage writer has stopped; usage cannot be recorded."));
        return new ValueTask<UsageCommit>(pending.Committed.Task.WaitAsync(cancellationToken));
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
        await base.StopAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<Pending>(MaxBatch);
        // Ends only when the channel is completed and drained, so nothing accepted is dropped at shutdown.
        while (await _queue.Reader.WaitToReadAsync(CancellationToken.None))
        {
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var next)) batch.Add(next);
            await CommitWithRetryAsync(batch);
            batch.Clear();
        }
    }

    private async Task CommitWithRetryAsync(List<Pending> batch)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var positions = await CommitAsync(batch);
                guard.CommitSucceeded();
                foreach (var pending in batch) pending.Committed.TrySetResult(new UsageCommit(positions.GetValueOrDefault(pending.Usage.RequestId)));
                return;
            }
            catch (NpgsqlException ex) when (attempt < 5)
            {
                // The first failure already stops new requests: only those in flight wait on the retries.
                guard.CommitFailed(ex);
                // A brief outage or a deadlock with another node's writer: the whole transaction is retried.
                LogCommitRetry(logger, ex, batch.Count, attempt);
                await Task.Delay(TimeSpan.FromMilliseconds(100 * attempt));
            }
            catch (Exception ex)
            {
                guard.CommitFailed(ex);
                LogCommitFailed(logger, ex, batch.Count);
                foreach (var pending in batch) pending.Committed.TrySetException(ex);
                return;
            }
        }
    }

    /// <summary>
    /// Commits the batch; returns, per request id, the id of the transaction that stored its charge, which Redis's copy
    /// of the books is ordered by. An event found already stored (a retry after a commit whose answer was lost, or a
    /// duplicate) gets the transaction that stored it: Redis counts a charge once per request id either way.
    /// </summary>
    private async Task<Dictionary<string, string?>> CommitAsync(List<Pending> batch)
    {
        // The same request id twice in one batch: the first one counts, as a second commit would ignore the rest.
        var events = batch.Select(p => p.Usage).DistinctBy(u => u.RequestId, StringComparer.Ordinal).ToList();
        await using var connection = await database.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        var (inserted, position) = await InsertEventsAsync(connection, transaction, events);
        var stored = events.Where(u => inserted.Contains(u.RequestId)).ToList();
        await InsertLedgerAsync(connection, transaction, stored);
        await PostgresRollups.AddAsync(connection, transaction, stored, BillingPeriod.Of(time.GetUtcNow()));
        var positions = stored.ToDictionary(u => u.RequestId, _ => position, StringComparer.Ordinal);
        var earlier = events.Where(u => !inserted.Contains(u.RequestId) && u.ChargedAmount != 0).Select(u => u.RequestId).ToArray();
        if (earlier.Length > 0)
        {
            await using var select = new NpgsqlCommand("SELECT reference, xid::text FROM ledger_entries WHERE kind = @kind AND reference = ANY(@references)", connection, transaction);
            select.Parameters.AddWithValue("kind", (int)LedgerEntryKind.Usage);
            select.Parameters.AddWithValue("references", earlier);
            await using var reader = await select.ExecuteReaderAsync();
            while (await reader.ReadAsync()) positions[reader.GetString(0)] = reader.GetString(1);
        }
        await transaction.CommitAsync();
        return positions;
    }

    private static async Task<(HashSet<string> Inserted, string? Position)> InsertEventsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, List<UsageEvent> events)
    {
        await using var insert = new NpgsqlCommand("""
            INSERT INTO usage_events (request_id, customer_id, key_id, model_id, backend_id, price_version,
                input_tokens, cached_input_tokens, output_tokens, reasoning_tokens, units,
                list_amount, charged_amount, cost_to_serve, status, source, streamed, latency_ms, ttft_ms, started_at, completed_at, cache_write_tokens)
            SELECT * FROM unnest(@request, @customer, @key, @model, @backend, @price, @input, @cached, @output, @reasoning, @units,
                @list, @charged, @cost, @status, @source, @streamed, @latency, @ttft, @started, @completed, @cacheWrite)
            ON CONFLICT (request_id) DO NOTHING
            RETURNING request_id, pg_current_xact_id()::text
            """, connection, transaction);
        Text(insert, "request", events, u => u.RequestId);
        Text(insert, "customer", events, u => u.CustomerId);
        Text(insert, "key", events, u => u.KeyId);
        Text(insert, "model", events, u => u.ModelId);
        Text(insert, "backend", events, u => u.BackendId);
        insert.Parameters.Add(new NpgsqlParameter<long?[]>("price", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { TypedValue = [.. events.Select(u => u.PriceVersion)] });
        Long(insert, "input", events, u => u.Tokens.InputTokens);
        Long(insert, "cached", events, u => u.Tokens.CachedInputTokens);
        Long(insert, "output", events, u => u.Tokens.OutputTokens);
        Long(insert, "reasoning", events, u => u.Tokens.ReasoningTokens);
        Long(insert, "cacheWrite", events, u => u.Tokens.CacheWriteTokens);
        Long(insert, "units", events, u => u.Units);
        Text(insert, "list", events, u => Money.Format(u.ListAmount));
        Text(insert, "charged", events, u => Money.Format(u.ChargedAmount));
        Text(insert, "cost", events, u => Money.Format(u.CostToServe));
        Text(insert, "status", events, u => StoredNames.Of(u.Status));
        Text(insert, "source", events, u => StoredNames.Of(u.Source));
        insert.Parameters.Add(new NpgsqlParameter<int[]>("streamed", NpgsqlDbType.Array | NpgsqlDbType.Integer) { TypedValue = [.. events.Select(u => u.Streamed ? 1 : 0)] });
        insert.Parameters.Add(new NpgsqlParameter<int[]>("latency", NpgsqlDbType.Array | NpgsqlDbType.Integer) { TypedValue = [.. events.Select(u => u.LatencyMs)] });
        insert.Parameters.Add(new NpgsqlParameter<int?[]>("ttft", NpgsqlDbType.Array | NpgsqlDbType.Integer) { TypedValue = [.. events.Select(u => u.TimeToFirstTokenMs)] });
        Long(insert, "started", events, u => UnixTime.ToStored(u.StartedAt));
        Long(insert, "completed", events, u => UnixTime.ToStored(u.CompletedAt));
        var inserted = new HashSet<string>(StringComparer.Ordinal);
        string? position = null;
        await using var reader = await insert.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            inserted.Add(reader.GetString(0));
            position = reader.GetString(1);
        }
        return (inserted, position);
    }

    /// <summary>A request charged nothing (inside an allowance) moves no money.</summary>
    private static async Task InsertLedgerAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, List<UsageEvent> stored)
    {
        var charged = stored.Where(u => u.ChargedAmount != 0).ToList();
        if (charged.Count == 0) return;
        await using var insert = new NpgsqlCommand("""
            INSERT INTO ledger_entries (customer_id, kind, amount, reference, created_at)
            SELECT customer, @kind, amount, reference, created FROM unnest(@customer, @amount, @reference, @created) AS t(customer, amount, reference, created)
            ON CONFLICT (kind, reference) DO NOTHING
            """, connection, transaction);
        insert.Parameters.AddWithValue("kind", (int)LedgerEntryKind.Usage);
        Text(insert, "customer", charged, u => u.CustomerId);
        Text(insert, "amount", charged, u => Money.Format(-u.ChargedAmount));
        Text(insert, "reference", charged, u => u.RequestId);
        Long(insert, "created", charged, u => UnixTime.ToStored(u.CompletedAt));
        await insert.ExecuteNonQueryAsync();
    }

    internal static void Text<T>(NpgsqlCommand command, string name, List<T> rows, Func<T, string?> value) =>
        command.Parameters.Add(new NpgsqlParameter<string?[]>(name, NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = [.. rows.Select(value)] });

    internal static void Long<T>(NpgsqlCommand command, string name, List<T> rows, Func<T, long> value) =>
        command.Parameters.Add(new NpgsqlParameter<long[]>(name, NpgsqlDbType.Array | NpgsqlDbType.Bigint) { TypedValue = [.. rows.Select(value)] });

    [LoggerMessage(Level = LogLevel.Warning, Message = "Committing {Count} usage events failed (attempt {Attempt}); retrying")]
    private static partial void LogCommitRetry(ILogger logger, Exception exception, int count, int attempt);

    [LoggerMessage(Level = LogLevel.Error, Message = "Committing {Count} usage events failed; their responses are refused")]
    private static partial void LogCommitFailed(ILogger logger, Exception exception, int count);
}
