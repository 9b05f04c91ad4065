using System.Net;
using Microsoft.Data.Sqlite;
using Tollgate.Tests.Infrastructure;
using static Tollgate.Tests.Infrastructure.TollgateCalls;

namespace Tollgate.Tests.Storage;

/// <summary>
/// A storage fault stops the line: the first failed usage commit (or a database file deleted under
/// the node) fails readiness and refuses new requests before they reach a backend, until a write succeeds again.
/// </summary>
public sealed class StorageFaultTests : StorageFaultTestBase
{
    // Every write to the tables usage and the write check touch is refused, as on a full disk.
    private const string FailWrites = """
        CREATE TRIGGER test_full_usage BEFORE INSERT ON usage_events BEGIN SELECT RAISE(ABORT, 'database or disk is full (test)'); END;
        CREATE TRIGGER test_full_settings_insert BEFORE INSERT ON settings BEGIN SELECT RAISE(ABORT, 'database or disk is full (test)'); END;
        CREATE TRIGGER test_full_settings_update BEFORE UPDATE ON settings BEGIN SELECT RAISE(ABORT, 'database or disk is full (test)'); END;
        """;

    private const string AllowWrites = """
        DROP TRIGGER test_full_usage; DROP TRIGGER test_full_settings_insert; DROP TRIGGER test_full_settings_update;
        """;

    [Fact]
    public async Task UsageCommit_Fails_RefusesNewRequestsBeforeForwardingUntilAWriteSucceeds()
    {
        using var client = App.ApiClient();
        using var probe = App.CreateClient();
        using (var first = await client.PostAsync("/v1/chat/completions", JsonBody(Body))) Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        await App.ExecuteSqlAsync(FailWrites);

        // The request in flight when the disk fills: served, but its usage is not recorded, so it is withheld.
        using (var inFlight = await client.PostAsync("/v1/chat/completions", JsonBody(Body)))
            await AssertErrorAsync(inFlight, HttpStatusCode.ServiceUnavailable, "usage_not_recorded", type: "server_error");
        Assert.Equal(2, Upstream.Received("up").Count);

        using (var ready = await probe.GetAsync("/readyz")) Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        using (var refused = await client.PostAsync("/v1/chat/completions", JsonBody(Body)))
        {
            await AssertErrorAsync(refused, HttpStatusCode.ServiceUnavailable, "storage_unavailable", type: "server_error");
            Assert.True(refused.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        }
        Assert.Equal(2, Upstream.Received("up").Count);
        Assert.Contains(App.Logs.Lines, line => line.StartsWith("Error ", StringComparison.Ordinal) && line.Contains("Storage fault", StringComparison.Ordinal));

        await App.ExecuteSqlAsync(AllowWrites);
        await StorageFaultSteps.ReadyEventuallyAsync(probe);
        using (var served = await client.PostAsync("/v1/chat/completions", JsonBody(Body))) Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        Assert.Equal(2, (await App.UsageAsync()).Count);
        Assert.Contains(App.Logs.Lines, line => line.Contains("Storage recovered", StringComparison.Ordinal));
    }

    [Fact]
    public async Task DatabaseFile_DeletedWhileServing_ReadinessFailsAndRequestsRefusedBeforeForwarding()
    {
        using var client = App.ApiClient();
        using var probe = App.CreateClient();
        using (var first = await client.PostAsync("/v1/chat/completions", JsonBody(Body))) Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        using (var ready = await probe.GetAsync("/readyz")) Assert.Equal(HttpStatusCode.OK, ready.StatusCode);

        foreach (var suffix in (string[])["", "-wal", "-shm"]) File.Delete(App.DatabasePath + suffix);

        using (var ready = await probe.GetAsync("/readyz")) Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        using (var refused = await client.PostAsync("/v1/chat/completions", JsonBody(Body)))
            await AssertErrorAsync(refused, HttpStatusCode.ServiceUnavailable, "storage_unavailable", type: "server_error");
        Assert.Single(Upstream.Received("up"));
        Assert.Contains(App.Logs.Lines, line => line.Contains("is gone", StringComparison.Ordinal));
    }

    [Fact]
    public async Task DatabaseFile_ReplacedByAnotherDatabase_ReadinessFails()
    {
        using var probe = App.CreateClient();
        using (var ready = await probe.GetAsync("/readyz")) Assert.Equal(HttpStatusCode.OK, ready.StatusCode);

        // Another database put in place as a careless restore would (rm tollgate.db*, copy another in): this node still writes to the file it opened.
        foreach (var suffix in (string[])["", "-wal", "-shm"]) File.Delete(App.DatabasePath + suffix);
        var other = App.DatabasePath + ".other";
        await using (var connection = new SqliteConnection($"Data Source={other};Pooling=False"))
        {
            await connection.OpenAsync();
            await using var create = connection.CreateCommand();
            create.CommandText = "CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL); INSERT INTO settings VALUES ('database_id', 'someone-else');";
            await create.ExecuteNonQueryAsync();
        }
        File.Move(other, App.DatabasePath);

        using (var ready = await probe.GetAsync("/readyz")) Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Contains(App.Logs.Lines, line => line.Contains("was replaced", StringComparison.Ordinal));
    }

    [Fact]
    public async Task DatabaseFile_ReplacedByABackupOfItself_ReadinessFails()
    {
        using var client = App.ApiClient();
        using var probe = App.CreateClient();
        using (var first = await client.PostAsync("/v1/chat/completions", JsonBody(Body))) Assert.Equal(HttpStatusCode.OK, first.StatusCode);

        // A restore of this very database (same identity inside) put in place under a running node: the node still
        // writes into the file it opened, which no longer has a name, so what it records would be lost.
        var backup = App.DatabasePath + ".backup";
        await App.ExecuteSqlAsync($"VACUUM INTO '{backup}'");
        File.Move(backup, App.DatabasePath, overwrite: true);

        using (var ready = await probe.GetAsync("/readyz")) Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        using (var refused = await client.PostAsync("/v1/chat/completions", JsonBody(Body)))
            await AssertErrorAsync(refused, HttpStatusCode.ServiceUnavailable, "storage_unavailable", type: "server_error");
    }
}
