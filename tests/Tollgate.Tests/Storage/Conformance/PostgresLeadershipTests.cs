using Microsoft.Extensions.Logging.Abstractions;
using Tollgate.Storage.Postgres;
using Tollgate.Tests.Infrastructure;

namespace Tollgate.Tests.Storage.Conformance;

/// <summary>One leader per database schema, chosen by an advisory lock, and a new one soon after it stops.</summary>
[RequiresService(TestPostgres.Variable)]
public sealed class PostgresLeadershipTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(200);

    [ServiceFact]
    public async Task Leadership_ThreeNodes_ExactlyOneLeads_AndAnotherTakesOverWhenItStops()
    {
        await using var schema = await TestPostgres.CreateAsync();
        var databases = Enumerable.Range(0, 3).Select(_ => new PostgresDatabase(schema.ConnectionString)).ToList();
        var nodes = databases.Select(d => new PostgresLeadership(d, NullLogger<PostgresLeadership>.Instance, Interval)).ToList();
        try
        {
            foreach (var node in nodes) await node.StartAsync(CancellationToken.None);
            var leader = await EventuallyAsync(() => nodes.SingleOrDefault(n => n.IsLeader));
            await Task.Delay(Interval * 5);
            Assert.Equal([leader], nodes.Where(n => n.IsLeader));

            await leader.StopAsync(CancellationToken.None);
            var rest = nodes.Where(n => n != leader).ToList();
            var next = await EventuallyAsync(() => rest.SingleOrDefault(n => n.IsLeader));

            Assert.False(leader.IsLeader);
            await Task.Delay(Interval * 5);
            Assert.Equal([next], nodes.Where(n => n.IsLeader));
        }
        finally
        {
            foreach (var node in nodes)
            {
                await node.StopAsync(CancellationToken.None);
                node.Dispose();
            }
            foreach (var database in databases) await database.DisposeAsync();
        }
    }

    private static async Task<T> EventuallyAsync<T>(Func<T?> probe) where T : class
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            if (probe() is { } found) return found;
            await Task.Delay(Interval);
        }
        throw new TimeoutException("No single leader emerged.");
    }
}
