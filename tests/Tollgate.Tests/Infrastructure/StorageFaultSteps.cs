using System.Net;
using Microsoft.Data.Sqlite;

namespace Tollgate.Tests.Infrastructure;

/// <summary>What storage fault tests do to a running app's database, and wait for.</summary>
internal static class StorageFaultSteps
{
    /// <summary>Runs SQL on the app's SQLite file through a connection of the test's own, outside the app's pool.</summary>
    public static async Task ExecuteSqlAsync(this TollgateFactory app, string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={app.DatabasePath};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA busy_timeout = 30000; " + sql;
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Waits for <c>/readyz</c> to answer 200 again, up to 10 s.</summary>
    public static async Task ReadyEventuallyAsync(HttpClient probe)
    {
        for (var i = 0; i < 100; i++)
        {
            using var ready = await probe.GetAsync("/readyz");
            if (ready.StatusCode == HttpStatusCode.OK) return;
            await Task.Delay(100);
        }
        Assert.Fail("/readyz did not recover within 10 s of writes succeeding again");
    }
}
