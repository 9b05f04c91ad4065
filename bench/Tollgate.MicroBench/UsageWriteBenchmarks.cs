using BenchmarkDotNet.Attributes;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Tollgate.Billing.Pricing;
using Tollgate.Storage;
using Tollgate.Storage.Sqlite;

namespace Tollgate.MicroBench;

/// <summary>
/// SqliteUsageWriter's group commit: <see cref="Events"/> events queued at once, awaited until
/// durable, into a temporary migrated database. Mean and Allocated are per event
/// (OperationsPerInvoke), request ids included.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "Stopped in [GlobalCleanup], which BenchmarkDotNet calls.")]
public class UsageWriteBenchmarks
{
    private const int Events = 256;
    private static readonly DateTimeOffset At = new(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);

    private readonly Task[] _pending = new Task[Events];
    private string _path = null!;
    private SqliteUsageWriter _writer = null!;
    private long _next;

    [GlobalSetup]
    public void Setup()
    {
        _path = Path.Combine(Path.GetTempPath(), $"tollgate-microbench-{Guid.NewGuid():N}.db");
        var database = new SqliteDatabase(_path, fullDurability: false);
        using (var connection = database.OpenAsync().GetAwaiter().GetResult())
            SqliteMigrations.ApplyAsync(connection).GetAwaiter().GetResult();
        _writer = new SqliteUsageWriter(database, NullLogger<SqliteUsageWriter>.Instance);
        _writer.StartAsync(CancellationToken.None).GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _writer.StopAsync(CancellationToken.None).GetAwaiter().GetResult();
        _writer.Dispose();
        SqliteConnection.ClearAllPools();
        foreach (var suffix in (string[])["", "-wal", "-shm"])
            File.Delete(_path + suffix);
    }

    /// <summary>One batch of events, each with its ledger entry; per event thanks to OperationsPerInvoke.</summary>
    [Benchmark(OperationsPerInvoke = Events)]
    public async Task RecordBatch()
    {
        for (var i = 0; i < Events; i++) _pending[i] = _writer.RecordAsync(Event(_next++)).AsTask();
        await Task.WhenAll(_pending);
    }

    private static UsageEvent Event(long n) => new()
    {
        RequestId = $"req_{n}",
        CustomerId = "cus_1",
        KeyId = "key_1",
        ModelId = "gpt-4o-mini",
        BackendId = "be_1",
        PriceVersion = 1,
        Tokens = new TokenUsage(1200, 0, 300),
        ListAmount = 0.00036m,
        ChargedAmount = 0.00036m,
        CostToServe = 0.00018m,
        Status = UsageStatus.Completed,
        Source = UsageSource.Backend,
        Streamed = true,
        LatencyMs = 420,
        TimeToFirstTokenMs = 85,
        StartedAt = At,
        CompletedAt = At,
    };
}
