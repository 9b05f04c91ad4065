using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Data.Sqlite;
using Tollgate.Billing;
using Tollgate.Billing.Ledger;

namespace Tollgate.Storage.Sqlite;

/// <summary>
/// Group commit: usage events queue in a channel and one writer commits them in batches, each
/// event with its ledger entry, in one transaction. A caller's task completes only after the
/// commit that holds its event, so a response can hold its last bytes until its usage is durable.
/// Duplicates (same request id) are ignored without failing the batch.
/// </summary>
internal sealed partial class SqliteUsageWriter(SqliteDatabase database, TimeProvider time, StorageGuard guard, ILogger<SqliteUsageWriter> logger) : BackgroundService, IUsageRecorder
{
    private readonly SqliteUsageRollups _rollups = new(time);

    private const int MaxBatch = 512;
    // The log's file is cut back to this size whenever the log starts again from its beginning, so a
    // file longer than this means the log itself has passed it: the writer then completes a checkpoint.
    private const long WalLimitBytes = 16L * 1024 * 1024;
    private static readonly TimeSpan CheckpointInterval = TimeSpan.FromMilliseconds(250);
    private long _walLengthAtCheckpoint;

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
        // Accept nothing new, then let the loop drain what is queued before it ends.
        _queue.Writer.TryComplete();
        await base.StopAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await using var connection = await database.OpenAsync(CancellationToken.None);
        using (var pragma = connection.CreateCommand())
        {
            // Checkpoints inside the commit were the p99 spike: run them beside the writer instead.
            pragma.CommandText = $"PRAGMA wal_autocheckpoint = 0; PRAGMA journal_size_limit = {WalLimitBytes};";
            await pragma.ExecuteNonQueryAsync(CancellationToken.None);
        }
        using var checkpoints = new CancellationTokenSource();
        var checkpointLoop = RunPassiveCheckpointsAsync(checkpoints.Token);
        var batch = new List<Pending>(MaxBatch);
        try
        {
            // The loop ends only when the channel is completed and drained, never on the stopping token,
            // so nothing that was accepted is dropped at shutdown.
            while (await _queue.Reader.WaitToReadAsync(CancellationToken.None))
            {
                while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var next)) batch.Add(next);
                await CommitWithRetryAsync(connection, batch);
                batch.Clear();
                await CompleteCheckpointIfLargeAsync(connection);
            }
        }
        finally
        {
            await checkpoints.CancelAsync();
            await checkpointLoop;
        }
    }

    private async Task CommitWithRetryAsync(SqliteConnection connection, List<Pending> batch)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var rollups = Commit(connection, batch);
                _rollups.Committed(rollups);
                guard.CommitSucceeded();
                foreach (var pending in batch) pending.Committed.TrySetResult(default);
                return;
            }
            catch (SqliteException ex) when (attempt < 5)
            {
                // The first failure already stops new requests: only those in flight wait on the retries.
                guard.CommitFailed(ex);
                LogCommitRetry(logger, ex, batch.Count, attempt);
                await Task.Delay(TimeSpan.FromMilliseconds(50 * attempt));
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

    private Dictionary<SqliteUsageRollups.RollupKey, SqliteUsageRollups.RollupTotals> Commit(SqliteConnection connection, List<Pending> batch)
    {
        using var transaction = connection.BeginTransaction(deferred: false);
        using var insertUsage = connection.CreateCommand();
        insertUsage.Transaction = transaction;
        insertUsage.CommandText = """
            INSERT INTO usage_events (request_id, customer_id, key_id, model_id, backend_id, price_version,
                input_tokens, cached_input_tokens, output_tokens, reasoning_tokens, units,
                list_amount, charged_amount, cost_to_serve, status, source, streamed, latency_ms, ttft_ms, started_at, completed_at, cache_write_tokens)
            VALUES ($request, $customer, $key, $model, $backend, $price, $input, $cached, $output, $reasoning, $units,
                $list, $charged, $cost, $status, $source, $streamed, $latency, $ttft, $started, $completed, $cacheWrite)
            ON CONFLICT (request_id) DO NOTHING
            """;
        var p = insertUsage.Parameters;
        string[] names = ["$request", "$customer", "$key", "$model", "$backend", "$price", "$input", "$cached", "$output", "$reasoning", "$units",
            "$list", "$charged", "$cost", "$status", "$source", "$streamed", "$latency", "$ttft", "$started", "$completed", "$cacheWrite"];
        foreach (var name in names) p.Add(new SqliteParameter { ParameterName = name });
        insertUsage.Prepare();

        using var insertLedger = connection.CreateCommand();
        insertLedger.Transaction = transaction;
        insertLedger.CommandText = """
            INSERT INTO ledger_entries (customer_id, kind, amount, reference, created_at)
            VALUES ($customer, $kind, $amount, $reference, $created)
            ON CONFLICT (kind, reference) DO NOTHING
            """;
        var l = insertLedger.Parameters;
        foreach (var name in (string[])["$customer", "$kind", "$amount", "$reference", "$created"]) l.Add(new SqliteParameter { ParameterName = name });
        insertLedger.Prepare();

        var inserted = new List<UsageEvent>(batch.Count);
        foreach (var pending in batch)
        {
            var u = pending.Usage;
            p[0].Value = u.RequestId;
            p[1].Value = u.CustomerId;
            p[2].Value = u.KeyId;
            p[3].Value = u.ModelId;
            p[4].Value = (object?)u.BackendId ?? DBNull.Value;
            p[5].Value = (object?)u.PriceVersion ?? DBNull.Value;
            p[6].Value = u.Tokens.InputTokens;
            p[7].Value = u.Tokens.CachedInputTokens;
            p[8].Value = u.Tokens.OutputTokens;
            p[9].Value = u.Tokens.ReasoningTokens;
            p[10].Value = u.Units;
            p[11].Value = Money.Format(u.ListAmount);
            p[12].Value = Money.Format(u.ChargedAmount);
            p[13].Value = Money.Format(u.CostToServe);
            p[14].Value = StoredNames.Of(u.Status);
            p[15].Value = StoredNames.Of(u.Source);
            p[16].Value = u.Streamed ? 1 : 0;
            p[17].Value = u.LatencyMs;
            p[18].Value = (object?)u.TimeToFirstTokenMs ?? DBNull.Value;
            p[19].Value = UnixTime.ToStored(u.StartedAt);
            p[20].Value = UnixTime.ToStored(u.CompletedAt);
            p[21].Value = u.Tokens.CacheWriteTokens;
            // A duplicate request id inserts nothing, and then must not add a second ledger entry either;
            // a request charged nothing (inside an allowance) moves no money.
            if (insertUsage.ExecuteNonQuery() == 0) continue;
            inserted.Add(u);
            if (u.ChargedAmount == 0) continue;
            l[0].Value = u.CustomerId;
            l[1].Value = (int)LedgerEntryKind.Usage;
            l[2].Value = Money.Format(-u.ChargedAmount);
            l[3].Value = u.RequestId;
            l[4].Value = UnixTime.ToStored(u.CompletedAt);
            insertLedger.ExecuteNonQuery();
        }
        var rollups = _rollups.Add(connection, transaction, inserted);
        transaction.Commit();
        return rollups;
    }

    /// <summary>
    /// Checkpoints that run beside the writer never catch up with it under steady load (frames keep
    /// arriving while they copy), so the log would grow without end. Between two commits nothing
    /// else writes: a passive checkpoint here copies the few frames the background one left and
    /// waits for no one, and the next commit starts the log again from its beginning. A blocking
    /// (truncating) checkpoint here held every waiting response for 100–300 ms.
    /// </summary>
    private async Task CompleteCheckpointIfLargeAsync(SqliteConnection connection)
    {
        var wal = new FileInfo(database.Path + "-wal");
        var length = wal.Exists ? wal.Length : 0;
        if (length <= WalLimitBytes)
        {
            _walLengthAtCheckpoint = 0;
            return;
        }
        // A complete checkpoint whose restart a reader (or the background checkpoint) prevented: retry
        // after another MiB of log rather than after every commit.
        if (_walLengthAtCheckpoint > 0 && length < _walLengthAtCheckpoint + WalLimitBytes / 16) return;
        var started = Stopwatch.GetTimestamp();
        var complete = await CheckpointAsync(connection, CancellationToken.None);
        var elapsed = Stopwatch.GetElapsedTime(started);
        LogCheckpoint(logger, length, complete, elapsed.TotalMilliseconds);
        // Complete: the next commit starts the log again and cuts its file back. Otherwise (the
        // background checkpoint was running) the writer tries again after its next commit.
        if (complete) _walLengthAtCheckpoint = length;
    }

    /// <summary>A passive checkpoint: true when every frame of the log is in the database.</summary>
    private async Task<bool> CheckpointAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        try
        {
            using var checkpoint = connection.CreateCommand();
            checkpoint.CommandText = "PRAGMA wal_checkpoint(PASSIVE);";
            await using var result = await checkpoint.ExecuteReaderAsync(cancellationToken);
            // One row: busy (another checkpoint was running), frames in the log, frames copied.
            if (!await result.ReadAsync(cancellationToken) || result.GetInt64(0) != 0) return false;
            return result.GetInt64(1) == result.GetInt64(2);
        }
        catch (SqliteException ex)
        {
            LogCheckpointFailed(logger, ex);
            return false;
        }
    }

    private async Task RunPassiveCheckpointsAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await database.OpenAsync(cancellationToken);
            using var timer = new PeriodicTimer(CheckpointInterval);
            while (await timer.WaitForNextTickAsync(cancellationToken)) _ = await CheckpointAsync(connection, cancellationToken);
        }
        catch (OperationCanceledException)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Committing {Count} usage events failed (attempt {Attempt}); retrying")]
    private static partial void LogCommitRetry(ILogger logger, Exception exception, int count, int attempt);

    [LoggerMessage(Level = LogLevel.Error, Message = "Committing {Count} usage events failed; their responses are refused")]
    private static partial void LogCommitFailed(ILogger logger, Exception exception, int count);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Checkpoint between commits: log file of {Bytes} bytes, complete {Complete}, {Milliseconds} ms")]
    private static partial void LogCheckpoint(ILogger logger, long bytes, bool complete, double milliseconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "WAL checkpoint failed")]
    private static partial void LogCheckpointFailed(ILogger logger, Exception exception);
}
