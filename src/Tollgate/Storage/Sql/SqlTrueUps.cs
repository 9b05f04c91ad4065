using System.Globalization;
using System.Data.Common;
using Tollgate.Billing;
using Tollgate.Billing.Contracts;
using Tollgate.Billing.Invoices;
using Tollgate.Billing.Ledger;
using Tollgate.Contracts;
using static Tollgate.Storage.Sql.SqlWrites;

namespace Tollgate.Storage.Sql;

/// <summary>
/// Contract commitments on the invoice: the commitment a customer owes for a period, and the
/// true-up ledger entry written when the period's invoice is finalized — inside the invoice's
/// own transaction, so it compares the commitment with exactly the usage that invoice bills.
/// </summary>
internal static class SqlTrueUps
{
    /// <summary>The sum of the prorated commitments of the customer's contracts in force during the period.</summary>
    public static decimal Commitment(DbConnection connection, DbTransaction transaction, string customerId, BillingPeriod period)
    {
        var select = Command(connection, transaction, """
            SELECT id, starts_at, ends_at, cancelled_at, definition, created_at FROM contracts
            WHERE customer_id = @customer AND starts_at < @end AND CASE WHEN cancelled_at < ends_at THEN cancelled_at ELSE ends_at END > @start
            """);
        select.Bind("@customer", customerId);
        select.Bind("@start", UnixTime.ToStored(period.Start));
        select.Bind("@end", UnixTime.ToStored(period.End));
        var commitment = 0m;
        using var reader = select.ExecuteReader();
        while (reader.Read())
        {
            var contract = ContractTerms.Parse(reader.GetString(4), reader.GetString(0), customerId, UnixTime.FromStored(reader.GetInt64(1)),
                UnixTime.FromStored(reader.GetInt64(2)), reader.IsDBNull(3) ? null : UnixTime.FromStored(reader.GetInt64(3)), UnixTime.FromStored(reader.GetInt64(5)));
            commitment += contract.CommitmentFor(period);
        }
        return commitment;
    }

    /// <summary>
    /// Writes the period's true-up once (its reference is unique), dated the period's last millisecond
    /// so it belongs to that period's invoice — and to its reissue, should that invoice be voided.
    /// Only the period's own usage counts toward its commitment.
    /// </summary>
    public static void EnsureEntry(DbConnection connection, DbTransaction transaction, string customerId, BillingPeriod period, decimal commitment,
        decimal usageCharged)
    {
        var shortfall = TrueUp.Shortfall(commitment, usageCharged);
        if (shortfall <= 0) return;
        Insert(connection, transaction, customerId, -shortfall, TrueUp.Reference(customerId, period), period, TrueUp.Note(period, commitment, usageCharged));
    }

    /// <summary>
    /// Late usage counts toward the month it happened in: where that month's shortfall was billed, the
    /// late usage gives back as much of it as it fills (a month costs the larger of commitment and usage).
    /// </summary>
    public static void EnsureLateCredits(DbConnection connection, DbTransaction transaction, string customerId, BillingPeriod period,
        IReadOnlyDictionary<BillingPeriod, decimal> lateUsage)
    {
        foreach (var (month, late) in lateUsage.OrderBy(l => l.Key))
        {
            var billed = -MonthTrueUps(connection, transaction, customerId, month);
            var credit = TrueUp.LateCredit(late, billed);
            if (credit <= 0) continue;
            Insert(connection, transaction, customerId, credit, TrueUp.LateReference(customerId, month, period), period, string.Create(CultureInfo.InvariantCulture,
                $"Late usage of {month} (${Money.Format(late)}) within its billed commitment shortfall"));
        }
    }

    /// <summary>Every true-up of a month so far: its own (negative) and late credits (positive).</summary>
    private static decimal MonthTrueUps(DbConnection connection, DbTransaction transaction, string customerId, BillingPeriod month)
    {
        var select = Command(connection, transaction, "SELECT reference, amount FROM ledger_entries WHERE customer_id = @customer AND kind = @kind");
        select.Bind("@customer", customerId);
        select.Bind("@kind", (int)LedgerEntryKind.TrueUp);
        var total = 0m;
        using var reader = select.ExecuteReader();
        while (reader.Read())
        {
            if (TrueUp.MonthOf(reader.GetString(0)) == month) total += Money.Parse(reader.GetString(1));
        }
        return total;
    }

    private static void Insert(DbConnection connection, DbTransaction transaction, string customerId, decimal amount, string reference, BillingPeriod period,
        string note)
    {
        var insert = Command(connection, transaction, """
            INSERT INTO ledger_entries (customer_id, kind, amount, reference, created_at, note) VALUES (@customer, @kind, @amount, @reference, @at, @note)
            ON CONFLICT (kind, reference) DO NOTHING
            """);
        insert.Bind("@customer", customerId);
        insert.Bind("@kind", (int)LedgerEntryKind.TrueUp);
        insert.Bind("@amount", Money.Format(amount));
        insert.Bind("@reference", reference);
        insert.Bind("@at", UnixTime.ToStored(period.End) - 1);
        insert.Bind("@note", note);
        insert.ExecuteNonQuery();
    }
}
