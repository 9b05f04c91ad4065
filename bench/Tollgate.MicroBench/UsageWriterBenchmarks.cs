using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;
using Tollgate.Billing.Pricing;
using Tollgate.Storage;
using Tollgate.Storage.Sqlite;

namespace Tollgate.MicroBench;

/// <summary>
/// The usage batch write: N events queued at once into the group-committing
/// <see cref="SqliteUsageWriter"/> over a migrated SQLite file (default durability), awaited until
/// committed, each with its ledger entry. One invocation is one batch of N: divide by N for the
/// cost per event. Building each event (unique request id) is inside the measured work.
/// </summary>
public class UsageWriterBenchmarks : IDisposable
{
    private static readonly DateTimeOffset At = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    private string _dir = null!;
    private SqliteUsageWriter _writer = null!;
    private Task[] _pending = null!;
    private long _next;

    [Params(1, 32, 256)]
    public int Events { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _dir = Directory.CreateTempSubdirectory("tollgate-microbench-").FullName;
        var database = new SqliteDatabase(Path.Combine(_dir, "tollgate.db"), fullDurability: false);
        using (var connection = database.OpenAsync().GetAwaiter().GetResult()) SqliteMigrations.ApplyAsync(connection).GetAwaiter().GetResult();
        _writer = new SqliteUsageWriter(database, TimeProvider.System, NullLogger<SqliteUsageWriter>.Instance);
        _writer.StartAsync(CancellationToken.None).GetAwaiter().GetResult();
        _pending = new Task[Events];
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _writer.StopAsync(CancellationToken.None).GetAwaiter().GetResult();
        Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (disposing) _writer?.Dispose();
    }

    [Benchmark]
    public Task RecordBatch()
    {
        for (var i = 0; i < _pending.Length; i++) _pending[i] = _writer.RecordAsync(Event(++_next)).AsTask();
        return Task.WhenAll(_pending);
    }

    private static UsageEvent Event(long n) => new()
    {
        RequestId = "req_bench_" + n,
        CustomerId = "cus_bench",
        KeyId = "key_bench",
        ModelId = "bench-model",
        BackendId = "bench-backend",
        PriceVersion = 1,
        Tokens = new TokenUsage(15, 0, 20),
        ListAmount = 0.00001425m,
        ChargedAmount = 0.00001425m,
        CostToServe = 0.0000095m,
        Status = UsageStatus.Completed,
        Source = UsageSource.Backend,
        Streamed = false,
        LatencyMs = 1,
        StartedAt = At,
        CompletedAt = At,
    };
}
