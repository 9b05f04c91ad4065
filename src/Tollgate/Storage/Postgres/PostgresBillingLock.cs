using Npgsql;

namespace Tollgate.Storage.Postgres;

/// <summary>
/// A transaction-scoped advisory lock on one customer's billing: invoice runs, finalization and
/// voids take it, and so does every node's usage writer before it files usage into a past month.
/// </summary>
internal static class PostgresBillingLock
{
    private const int Namespace = 1953459308;

    public static async Task TakeAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string customerId)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"SELECT pg_advisory_xact_lock({Namespace}, hashtext(@customer))";
        command.Parameters.AddWithValue("@customer", customerId);
        await command.ExecuteNonQueryAsync();
    }
}
