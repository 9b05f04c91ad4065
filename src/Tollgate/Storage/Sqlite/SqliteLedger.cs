using Tollgate.Billing;
using Tollgate.Billing.Ledger;

namespace Tollgate.Storage.Sqlite;

internal sealed class SqliteLedger(SqliteDatabase database) : ILedgerWriter
{
    public async Task AppendAsync(string customerId, LedgerEntryKind kind, decimal amount, string reference, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO ledger_entries (customer_id, kind, amount, reference, created_at) VALUES ($customer, $kind, $amount, $reference, $at)
            ON CONFLICT (kind, reference) DO NOTHING
            """;
        command.Parameters.AddWithValue("$customer", customerId);
        command.Parameters.AddWithValue("$kind", (int)kind);
        command.Parameters.AddWithValue("$amount", Money.Format(amount));
        command.Parameters.AddWithValue("$reference", reference);
        command.Parameters.AddWithValue("$at", UnixTime.ToStored(at));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Summed in decimal here, not in SQL, where amounts would become floating point.</summary>
    public async Task<decimal> BalanceAsync(string customerId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT amount FROM ledger_entries WHERE customer_id = $customer";
        command.Parameters.AddWithValue("$customer", customerId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var balance = 0m;
        while (await reader.ReadAsync(cancellationToken)) balance += Money.Parse(reader.GetString(0));
        return balance;
    }
}
