using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Tollgate.Billing.Ledger;
using Tollgate.Billing.Pricing;
using Tollgate.Catalog;
using Tollgate.Storage;
using Tollgate.Tests.Infrastructure;

namespace Tollgate.Tests.Storage;

/// <summary>The group-committed usage writer: every event once, with exactly one ledger entry for what it charged.</summary>
public sealed class SqliteUsageWriterTests : TollgateTestBase
{
    private static readonly DateTimeOffset At = DateTimeOffset.FromUnixTimeMilliseconds(1_790_000_000_123);

    [Fact]
    public async Task RecordAsync_DuplicateRequestIds_IgnoredWithoutFailingTheBatchOrASecondLedgerEntry()
    {
        var recorder = App.Services.GetRequiredService<IUsageRecorder>();
        await recorder.RecordAsync(Event("req_first", 0.5m));

        // Queued together so they share group commits: a replay of a stored id, a new id twice, and an innocent bystander.
        await Task.WhenAll(
            recorder.RecordAsync(Event("req_first", 9m)).AsTask(),
            recorder.RecordAsync(Event("req_twice", 0.25m)).AsTask(),
            recorder.RecordAsync(Event("req_twice", 7m)).AsTask(),
            recorder.RecordAsync(Event("req_other", 0.125m)).AsTask());

        var stored = (await App.UsageAsync()).ToDictionary(u => u.RequestId, u => u.ChargedAmount);
        Assert.Equal(new Dictionary<string, decimal> { ["req_first"] = 0.5m, ["req_twice"] = 0.25m, ["req_other"] = 0.125m }, stored);
        Assert.Equal(new[] { ("req_first", "-0.5"), ("req_other", "-0.125"), ("req_twice", "-0.25") }, await UsageLedgerAsync());
    }

    [Fact]
    public async Task RecordAsync_NothingCharged_StoresEventButMovesNoMoney()
    {
        await App.Services.GetRequiredService<IUsageRecorder>().RecordAsync(Event("req_free", 0m));

        Assert.Equal("req_free", Assert.Single(await App.UsageAsync()).RequestId);
        Assert.Empty(await UsageLedgerAsync());
    }

    [Fact]
    public async Task RecordAsync_Event_ReadsBackFieldForField()
    {
        var usage = Event("req_full", 0.000123456789m) with
        {
            Tokens = new TokenUsage(1200, 300, 450, 50),
            Units = 2,
            ListAmount = 0.0002m,
            CostToServe = 0.00004321m,
            Status = UsageStatus.ClientCancelled,
            Source = UsageSource.Tokenizer,
            Streamed = true,
            TimeToFirstTokenMs = 17,
        };

        await App.Services.GetRequiredService<IUsageRecorder>().RecordAsync(usage);

        Assert.Equal(usage, Assert.Single(await App.UsageAsync()));
    }

    [Fact]
    public async Task RecordAsync_StreamThatNeverLetsTheWriterIdle_LogStartsAgainInsteadOfGrowing()
    {
        // Random ids spread each batch over the whole key index: hundreds of MiB of log in all.
        var recorder = App.Services.GetRequiredService<IUsageRecorder>();
        var wal = new FileInfo(App.DatabasePath + "-wal");
        var largest = 0L;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                wal.Refresh();
                if (wal.Exists) largest = Math.Max(largest, wal.Length);
                await Task.Delay(10, CancellationToken.None);
            }
        }, CancellationToken.None);

        // All queued at once, so the writer never finds its queue empty until the end.
        await Task.WhenAll(Enumerable.Range(0, 60_000).Select(_ => recorder.RecordAsync(Event("req_" + Guid.NewGuid().ToString("N"), 0.001m)).AsTask()));
        await sampling.CancelAsync();
        await sampler;

        Assert.Equal(60_000, (await App.UsageAsync()).Count);
        // The log restarts near 16 MiB (a little later on a machine so loaded that a restart waits on a reader: 72 MiB
        // seen under a load of 15 on 2 cores); before, a writer that never idled let it reach 512 MiB.
        Assert.InRange(largest, 1, 128L * 1024 * 1024);
    }

    private UsageEvent Event(string requestId, decimal charged)
    {
        var snapshot = App.Services.GetRequiredService<CatalogState>().Current;
        var key = snapshot.Keys.Values.First();
        return new UsageEvent
        {
            RequestId = requestId,
            CustomerId = key.CustomerId,
            KeyId = key.Id,
            ModelId = "tg-mini",
            BackendId = "tg-mini-sim",
            PriceVersion = 1,
            Tokens = new TokenUsage(100, 0, 20),
            ListAmount = charged,
            ChargedAmount = charged,
            CostToServe = 0.00001m,
            Status = UsageStatus.Completed,
            Source = UsageSource.Backend,
            Streamed = false,
            LatencyMs = 42,
            StartedAt = At,
            CompletedAt = At.AddMilliseconds(42),
        };
    }

    /// <summary>The usage entries of the ledger as stored: (request id, amount text), by reference.</summary>
    private async Task<(string, string)[]> UsageLedgerAsync()
    {
        await using var connection = new SqliteConnection($"Data Source={App.DatabasePath};Pooling=False");
        await connection.OpenAsync();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT reference, amount FROM ledger_entries WHERE kind = $kind ORDER BY reference";
        command.Parameters.AddWithValue("$kind", (int)LedgerEntryKind.Usage);
        var rows = new List<(string, string)>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) rows.Add((reader.GetString(0), reader.GetString(1)));
        return [.. rows];
    }
}
