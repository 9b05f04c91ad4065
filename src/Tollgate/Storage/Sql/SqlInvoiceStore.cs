using System.Collections.Concurrent;
using System.Data.Common;
using Tollgate.Billing;
using Tollgate.Billing.Catalog;
using Tollgate.Billing.Invoices;
using Tollgate.Billing.Ledger;
using Tollgate.Billing.Pricing;
using Tollgate.Security;
using static Tollgate.Storage.Sql.SqlWrites;

namespace Tollgate.Storage.Sql;

/// <summary>
/// Invoices. Each customer's run is one short write transaction holding the customer's billing
/// lock (SQLite's single writer; on PostgreSQL an advisory lock every node's usage writer takes
/// before it files usage of a past month), so usage of a period is either on its invoice or, once
/// that is finalized, goes to the next, without stalling traffic for longer than one customer takes.
/// </summary>
internal sealed class SqlInvoiceStore(SqlDatabase database) : IInvoiceStore
{
    private const string Finalized = "'finalized', 'paid'";
    private readonly ConcurrentDictionary<long, TokenRates?> _rates = new();

    public async Task<(InvoiceRunOutcome Outcome, InvoiceRecord Invoice)> RunAsync(string customerId, BillingMode mode, BillingPeriod period, bool finalize,
        string actor, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        if (finalize && InvoiceTransitions.RefuseBeforeEnd(period, now) is { } early) throw new InvoiceStateException(early);
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        using var transaction = database.BeginWrite(connection);
        await database.LockBillingAsync(connection, transaction, customerId);
        var existing = ReadInvoices(connection, transaction, "customer_id = @customer AND period = @period AND status <> 'void'",
            c => { c.Bind("@customer", customerId); c.Bind("@period", period.ToString()); }).FirstOrDefault();
        if (existing is { Status: not InvoiceStatus.Draft })
        {
            transaction.Commit();
            return (InvoiceRunOutcome.AlreadyFinalized, WithLines(connection, null, existing));
        }
        var id = existing?.Id ?? RandomText.Id("inv_");
        var rounding = Write(connection, transaction, id, customerId, mode, period, finalize, existing is null, actor, now);
        var invoice = WithLines(connection, transaction, ReadInvoice(connection, transaction, id)!) with { RoundingBooked = rounding };
        transaction.Commit();
        return (finalize ? InvoiceRunOutcome.Finalized : existing is null ? InvoiceRunOutcome.Created : InvoiceRunOutcome.Refreshed, invoice);
    }

    public async Task<BillingPeriod?> LastFinalizedPeriodAsync(string customerId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        // Periods are stored as "yyyy-MM", so the text order is the time order.
        var select = Command(connection, null, $"SELECT MAX(period) FROM invoices WHERE customer_id = @customer AND status IN ({Finalized})");
        select.Bind("@customer", customerId);
        return await select.ExecuteScalarAsync(cancellationToken) is string period ? BillingPeriod.Parse(period) : null;
    }

    public async Task<InvoiceRecord> FinalizeAsync(string invoiceId, string actor, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        using var transaction = database.BeginWrite(connection);
        var draft = ReadInvoice(connection, transaction, invoiceId) ?? throw new KeyNotFoundException(invoiceId);
        await database.LockBillingAsync(connection, transaction, draft.CustomerId);
        if (InvoiceTransitions.RefuseFinalize(draft.Status, draft.Period, now, invoiceId) is { } refused) throw new InvoiceStateException(refused);
        var rounding = Write(connection, transaction, draft.Id, draft.CustomerId, draft.BillingMode, draft.Period, finalize: true, insert: false, actor, now);
        var invoice = WithLines(connection, transaction, ReadInvoice(connection, transaction, invoiceId)!) with { RoundingBooked = rounding };
        transaction.Commit();
        return invoice;
    }

    public async Task<(InvoiceRecord Invoice, bool Recorded)> RecordPaymentAsync(string invoiceId, decimal amount, string reference, string actor,
        DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        using var transaction = database.BeginWrite(connection);
        var invoice = ReadInvoice(connection, transaction, invoiceId) ?? throw new KeyNotFoundException(invoiceId);
        var duplicate = Command(connection, transaction, "SELECT 1 FROM invoice_payments WHERE invoice_id = @invoice AND reference = @reference");
        duplicate.Bind("@invoice", invoiceId);
        duplicate.Bind("@reference", reference);
        if (duplicate.ExecuteScalar() is not null)
        {
            transaction.Commit();
            return (WithLines(connection, null, invoice), false);
        }
        if (InvoiceTransitions.RefusePayment(invoice.Status, invoice.AmountDue, amount, invoiceId, invoice.Number) is { } refused)
            throw new InvoiceStateException(refused);
        var paymentId = RandomText.Id("pay_");
        var insert = Command(connection, transaction, """
            INSERT INTO invoice_payments (id, invoice_id, customer_id, amount, reference, created_at)
            VALUES (@id, @invoice, @customer, @amount, @reference, @at)
            """);
        insert.Bind("@id", paymentId);
        insert.Bind("@invoice", invoiceId);
        insert.Bind("@customer", invoice.CustomerId);
        insert.Bind("@amount", Money.Format(amount));
        insert.Bind("@reference", reference);
        insert.Bind("@at", UnixTime.ToStored(now));
        insert.ExecuteNonQuery();
        InsertLedger(connection, transaction, invoice.CustomerId, LedgerEntryKind.Payment, amount, paymentId, null, $"Payment {reference} for {invoice.Number}", now);
        var paid = invoice.AmountPaid + amount;
        var update = Command(connection, transaction, """
            UPDATE invoices SET amount_paid = @paid, status = @status, paid_at = @paidAt, updated_at = @at WHERE id = @id
            """);
        var status = InvoiceTransitions.StatusAfterPayment(paid, invoice.Total);
        var settled = status == InvoiceStatus.Paid;
        update.Bind("@paid", Money.Format(paid));
        update.Bind("@status", StoredNames.Of(status));
        update.Bind("@paidAt", settled ? UnixTime.ToStored(now) : DBNull.Value);
        update.Bind("@at", UnixTime.ToStored(now));
        update.Bind("@id", invoiceId);
        update.ExecuteNonQuery();
        await InsertAuditAsync(connection, transaction, new AuditEntry(actor, "invoice.payment", "invoice", invoiceId, null,
            InvoiceAudit.Payment(paymentId, amount, reference), now), cancellationToken);
        var result = WithLines(connection, transaction, ReadInvoice(connection, transaction, invoiceId)!);
        transaction.Commit();
        return (result, true);
    }

    public async Task<InvoiceRecord> VoidAsync(string invoiceId, string reason, string actor, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        using var transaction = database.BeginWrite(connection);
        var invoice = ReadInvoice(connection, transaction, invoiceId) ?? throw new KeyNotFoundException(invoiceId);
        await database.LockBillingAsync(connection, transaction, invoice.CustomerId);
        if (InvoiceTransitions.RefuseVoid(invoice.Status, invoice.AmountPaid, invoiceId, invoice.Number) is { } refused) throw new InvoiceStateException(refused);
        var creditNote = InvoiceNumbers.CreditNote(now.UtcDateTime.Year, NextNumber(connection, transaction, InvoiceNumbers.CreditNoteCounter(now.UtcDateTime.Year)));
        var update = Command(connection, transaction, """
            UPDATE invoices SET status = 'void', credit_note_number = @note, void_reason = @reason, voided_at = @at, updated_at = @at WHERE id = @id
            """);
        update.Bind("@note", creditNote);
        update.Bind("@reason", reason);
        update.Bind("@at", UnixTime.ToStored(now));
        update.Bind("@id", invoiceId);
        update.ExecuteNonQuery();
        var reversed = ReverseRounding(connection, transaction, invoice, now);
        await InsertAuditAsync(connection, transaction, new AuditEntry(actor, "invoice.void", "invoice", invoiceId,
            InvoiceAudit.State(invoice), InvoiceAudit.Void(creditNote, reason), now), cancellationToken);
        var result = WithLines(connection, transaction, ReadInvoice(connection, transaction, invoiceId)!) with { RoundingBooked = reversed };
        transaction.Commit();
        return result;
    }

    public async Task<InvoiceRecord?> GetAsync(string invoiceId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        return ReadInvoice(connection, null, invoiceId) is { } invoice ? WithLines(connection, null, invoice) : null;
    }

    public async Task<IReadOnlyList<PaymentRecord>> PaymentsAsync(string invoiceId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var select = Command(connection, null, $"SELECT id, amount, reference, created_at FROM invoice_payments WHERE invoice_id = @id ORDER BY created_at, {database.InsertionOrder}");
        select.Bind("@id", invoiceId);
        var payments = new List<PaymentRecord>();
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            payments.Add(new PaymentRecord(reader.GetString(0), invoiceId, Money.Parse(reader.GetString(1)), reader.GetString(2), UnixTime.FromStored(reader.GetInt64(3))));
        return payments;
    }

    public Task<PageOf<InvoiceRecord>> ListAsync(InvoiceFilter filter, Page page, CancellationToken cancellationToken = default) =>
        SqlPaging.ByCreationAsync(database, "invoices", InvoiceColumns,
            "(CAST(@customer AS TEXT) IS NULL OR customer_id = @customer) AND (CAST(@period AS TEXT) IS NULL OR period = @period) AND (CAST(@status AS TEXT) IS NULL OR status = @status)",
            c =>
            {
                c.Bind("@customer", (object?)filter.CustomerId ?? DBNull.Value);
                c.Bind("@period", (object?)filter.Period?.ToString() ?? DBNull.Value);
                c.Bind("@status", filter.Status is { } status ? StoredNames.Of(status) : DBNull.Value);
            },
            page, ReadInvoiceRow, cancellationToken);

    public async Task<LedgerRecord> AppendLedgerAsync(string customerId, LedgerEntryKind kind, decimal amount, string? note, long? corrects, string actor,
        DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        using var transaction = database.BeginWrite(connection);
        if (corrects is { } original)
        {
            var owner = Command(connection, transaction, "SELECT customer_id FROM ledger_entries WHERE id = @id");
            owner.Bind("@id", original);
            if (owner.ExecuteScalar() as string != customerId)
                throw new InvoiceStateException($"Ledger entry {original} does not exist for customer {customerId}.");
        }
        var reference = RandomText.Id(kind switch { LedgerEntryKind.Discount => "disc_", LedgerEntryKind.CreditNote => "cn_", _ => "adj_" });
        var id = InsertLedger(connection, transaction, customerId, kind, amount, reference, corrects, note, now);
        var record = new LedgerRecord(id, customerId, kind, amount, reference, corrects, note, now);
        await InsertAuditAsync(connection, transaction, new AuditEntry(actor, "ledger.append", "customer", customerId, null, InvoiceAudit.Ledger(record), now),
            cancellationToken);
        transaction.Commit();
        return record;
    }

    public async Task<PageOf<LedgerRecord>> LedgerAsync(string customerId, Page page, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var select = Command(connection, null, """
            SELECT id, customer_id, kind, amount, reference, corrects, note, created_at FROM ledger_entries
            WHERE customer_id = @customer AND (CAST(@after AS BIGINT) IS NULL OR id > @after) ORDER BY id LIMIT @limit
            """);
        select.Bind("@customer", customerId);
        select.Bind("@after", long.TryParse(page.StartingAfter, out var after) ? after : DBNull.Value);
        select.Bind("@limit", page.Limit + 1);
        var entries = new List<LedgerRecord>();
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            entries.Add(new LedgerRecord(reader.GetInt64(0), reader.GetString(1), (LedgerEntryKind)reader.GetInt32(2), Money.Parse(reader.GetString(3)),
                reader.GetString(4), reader.IsDBNull(5) ? null : reader.GetInt64(5), reader.IsDBNull(6) ? null : reader.GetString(6),
                UnixTime.FromStored(reader.GetInt64(7))));
        }
        return PageOf<LedgerRecord>.FromOverfetch(entries, page.Limit);
    }

    public async Task<IReadOnlyList<DailyUsage>> DailyUsageAsync(string customerId, BillingPeriod period, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var select = Command(connection, null, """
            SELECT day, model_id, requests, input_tokens, cached_input_tokens, output_tokens, reasoning_tokens, charged_amount, cache_write_tokens
            FROM usage_rollups WHERE customer_id = @customer AND day >= @from AND day < @to ORDER BY day, model_id
            """);
        select.Bind("@customer", customerId);
        select.Bind("@from", period.ToString());
        select.Bind("@to", period.Next.ToString());
        var days = new Dictionary<(string, string), DailyUsage>();
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            // Rows of one day and model differ only by backend, price version or billing period: customers see them as one.
            var key = (reader.GetString(0), reader.GetString(1));
            var tokens = new TokenUsage(reader.GetInt64(3), reader.GetInt64(4), reader.GetInt64(5), reader.GetInt64(6), reader.GetInt64(8));
            var row = new DailyUsage(key.Item1, key.Item2, reader.GetInt64(2), tokens, Money.Parse(reader.GetString(7)));
            days[key] = days.TryGetValue(key, out var seen)
                ? seen with
                {
                    Requests = seen.Requests + row.Requests,
                    Tokens = seen.Tokens.Plus(tokens),
                    ChargedAmount = seen.ChargedAmount + row.ChargedAmount,
                }
                : row;
        }
        return [.. days.Values];
    }

    private static string RoundingReference(string invoiceId) => $"rounding:{invoiceId}";

    /// <summary>What the rounding entries of the month's void invoices still hold (a postpaid one's entry and its reversal cancel out).</summary>
    private static decimal RoundingOfVoidInvoices(DbConnection connection, DbTransaction transaction, string customerId, BillingPeriod period)
    {
        var select = Command(connection, transaction, """
            SELECT e.amount FROM ledger_entries e JOIN invoices i ON i.customer_id = e.customer_id
            WHERE e.customer_id = @customer AND e.kind = @kind AND i.period = @period AND i.status = 'void'
              AND (e.reference = 'rounding:' || i.id OR e.reference = 'rounding:' || i.id || ':void')
            """);
        select.Bind("@customer", customerId);
        select.Bind("@kind", (int)LedgerEntryKind.Rounding);
        select.Bind("@period", period.ToString());
        var total = 0m;
        using var reader = select.ExecuteReader();
        while (reader.Read()) total += Money.Parse(reader.GetString(0));
        return total;
    }

    /// <summary>
    /// A void postpaid invoice no longer bills its rounding, so the entry is reversed (its reissue books
    /// its own). A prepaid invoice's rounding was a credit already in the wallet: it stays, so voiding
    /// can never take a wallet below zero.
    /// </summary>
    private static decimal ReverseRounding(DbConnection connection, DbTransaction transaction, InvoiceRecord invoice, DateTimeOffset now)
    {
        if (invoice.BillingMode == BillingMode.Prepaid) return 0m;
        var select = Command(connection, transaction, "SELECT amount FROM ledger_entries WHERE kind = @kind AND reference = @reference");
        select.Bind("@kind", (int)LedgerEntryKind.Rounding);
        select.Bind("@reference", RoundingReference(invoice.Id));
        if (select.ExecuteScalar() is not string booked) return 0m;
        var reversal = -Money.Parse(booked);
        InsertLedger(connection, transaction, invoice.CustomerId, LedgerEntryKind.Rounding, reversal, RoundingReference(invoice.Id) + ":void", null,
            $"Rounding of void invoice {invoice.Number} reversed", now);
        return reversal;
    }

    /// <summary>
    /// Builds the lines from what is unbilled now and writes the invoice as a draft, or finalized with a
    /// number; returns the rounding entry booked (zero for a draft).
    /// </summary>
    private decimal Write(DbConnection connection, DbTransaction transaction, string id, string customerId, BillingMode mode, BillingPeriod period,
        bool finalize, bool insert, string actor, DateTimeOffset now)
    {
        var rollups = ReadRollups(connection, transaction, customerId, period);
        var commitment = SqlTrueUps.Commitment(connection, transaction, customerId, period);
        if (finalize)
        {
            if (commitment > 0) SqlTrueUps.EnsureEntry(connection, transaction, customerId, period, commitment, InvoiceBuilder.UsageCharged(rollups, period));
            SqlTrueUps.EnsureLateCredits(connection, transaction, customerId, period, InvoiceBuilder.LateUsage(rollups, period));
        }
        var lines = InvoiceBuilder.Build(period, mode, rollups, v => Rates(connection, transaction, v),
            ReadUnbilledLedger(connection, transaction, customerId, period), commitment);
        var total = InvoiceBuilder.Total(lines);
        var rounding = 0m;
        if (finalize)
        {
            var rounded = InvoiceRounding.Finalize(lines, mode, period, commitment, RoundingOfVoidInvoices(connection, transaction, customerId, period));
            (lines, total, rounding) = (rounded.Lines, rounded.Total, rounded.RoundingEntry);
            // Booked with the lines, in this transaction: the ledger equals the invoice to the cent.
            if (rounding != 0)
                InsertLedger(connection, transaction, customerId, LedgerEntryKind.Rounding, rounding, RoundingReference(id), null, $"Rounding of invoice for {period}", now);
        }
        var stored = UnixTime.ToStored(now);
        if (insert)
        {
            var create = Command(connection, transaction, """
                INSERT INTO invoices (id, customer_id, period, billing_mode, status, total, amount_paid, created_at, updated_at)
                VALUES (@id, @customer, @period, @mode, 'draft', '0', '0', @at, @at)
                """);
            create.Bind("@id", id);
            create.Bind("@customer", customerId);
            create.Bind("@period", period.ToString());
            create.Bind("@mode", StoredNames.Of(mode));
            create.Bind("@at", stored);
            create.ExecuteNonQuery();
        }
        else
        {
            var clear = Command(connection, transaction, "DELETE FROM invoice_lines WHERE invoice_id = @id");
            clear.Bind("@id", id);
            clear.ExecuteNonQuery();
        }
        InsertLines(connection, transaction, id, lines);
        string? number = null;
        var status = InvoiceStatus.Draft;
        if (finalize)
        {
            // Allocated inside this transaction: a rollback returns the number, so numbers have no gaps.
            number = InvoiceNumbers.Invoice(now.UtcDateTime.Year, NextNumber(connection, transaction, InvoiceNumbers.InvoiceCounter(now.UtcDateTime.Year)));
            status = InvoiceTransitions.StatusOnFinalize(total);
        }
        var update = Command(connection, transaction, """
            UPDATE invoices SET billing_mode = @mode, status = @status, number = @number, total = @total, updated_at = @at,
                finalized_at = @finalizedAt, paid_at = @paidAt
            WHERE id = @id
            """);
        update.Bind("@mode", StoredNames.Of(mode));
        update.Bind("@status", StoredNames.Of(status));
        update.Bind("@number", (object?)number ?? DBNull.Value);
        update.Bind("@total", Money.Format(total));
        update.Bind("@at", stored);
        update.Bind("@finalizedAt", finalize ? stored : DBNull.Value);
        update.Bind("@paidAt", status == InvoiceStatus.Paid ? stored : DBNull.Value);
        update.Bind("@id", id);
        update.ExecuteNonQuery();
        if (finalize)
        {
            InsertAuditAsync(connection, transaction, new AuditEntry(actor, "invoice.finalize", "invoice", id, null,
                InvoiceAudit.Finalized(number!, status, total), now), CancellationToken.None).GetAwaiter().GetResult();
        }
        return rounding;
    }

    private static List<UsageRollup> ReadRollups(DbConnection connection, DbTransaction transaction, string customerId, BillingPeriod period)
    {
        var select = Command(connection, transaction, """
            SELECT model_id, price_version, day, requests, input_tokens, cached_input_tokens, output_tokens, reasoning_tokens, list_amount, charged_amount,
                cache_write_tokens
            FROM usage_rollups WHERE customer_id = @customer AND billing_period = @period
            """);
        select.Bind("@customer", customerId);
        select.Bind("@period", period.ToString());
        var rollups = new List<UsageRollup>();
        using var reader = select.ExecuteReader();
        while (reader.Read())
        {
            var version = reader.GetInt64(1);
            rollups.Add(new UsageRollup(reader.GetString(0), version == 0 ? null : version, BillingPeriod.Parse(reader.GetString(2)[..7]), reader.GetInt64(3),
                new TokenUsage(reader.GetInt64(4), reader.GetInt64(5), reader.GetInt64(6), reader.GetInt64(7), reader.GetInt64(10)),
                Money.Parse(reader.GetString(8)), Money.Parse(reader.GetString(9))));
        }
        return rollups;
    }

    /// <summary>
    /// Entries up to the period's end that no finalized invoice bills yet (a voided invoice releases its entries).
    /// Once the period's invoice was voided, entries made since belong to its reissue: they are the correction.
    /// </summary>
    private static List<LedgerItem> ReadUnbilledLedger(DbConnection connection, DbTransaction transaction, string customerId, BillingPeriod period)
    {
        var select = Command(connection, transaction, $"""
            SELECT e.id, e.kind, e.amount, e.reference, e.created_at FROM ledger_entries e
            WHERE e.customer_id = @customer AND e.kind NOT IN (@usage, @payment)
              AND (e.created_at < @end
                   OR e.created_at >= (SELECT MAX(v.voided_at) FROM invoices v WHERE v.customer_id = @customer AND v.period = @period AND v.status = 'void'))
              AND NOT EXISTS (SELECT 1 FROM invoice_lines l JOIN invoices i ON i.id = l.invoice_id
                              WHERE l.ledger_entry_id = e.id AND i.status IN ({Finalized}))
            """);
        select.Bind("@customer", customerId);
        select.Bind("@period", period.ToString());
        select.Bind("@usage", (int)LedgerEntryKind.Usage);
        select.Bind("@payment", (int)LedgerEntryKind.Payment);
        select.Bind("@end", UnixTime.ToStored(period.End));
        var items = new List<LedgerItem>();
        using var reader = select.ExecuteReader();
        while (reader.Read())
        {
            items.Add(new LedgerItem(reader.GetInt64(0), (LedgerEntryKind)reader.GetInt32(1), Money.Parse(reader.GetString(2)), reader.GetString(3),
                UnixTime.FromStored(reader.GetInt64(4))));
        }
        return items;
    }

    /// <summary>Price cards never change once written, so a version's rates are cached for good.</summary>
    private TokenRates? Rates(DbConnection connection, DbTransaction transaction, long version) =>
        _rates.GetOrAdd(version, v =>
        {
            var select = Command(connection, transaction,
                "SELECT input_per_million, cached_input_per_million, output_per_million, request_fee FROM price_cards WHERE version = @version");
            select.Bind("@version", v);
            using var reader = select.ExecuteReader();
            return reader.Read()
                ? new TokenRates(Money.Parse(reader.GetString(0)), Money.Parse(reader.GetString(1)), Money.Parse(reader.GetString(2)), Money.Parse(reader.GetString(3)))
                : null;
        });

    private static void InsertLines(DbConnection connection, DbTransaction transaction, string invoiceId, IReadOnlyList<InvoiceLine> lines)
    {
        using var insert = Command(connection, transaction, """
            INSERT INTO invoice_lines (invoice_id, line_no, kind, description, model_id, price_version, token_class, usage_period, quantity,
                unit_price, amount, rounded_amount, ledger_entry_id)
            VALUES (@invoice, @no, @kind, @description, @model, @version, @class, @usage, @quantity, @unit, @amount, @rounded, @ledger)
            """);
        for (var i = 0; i < lines.Count; i++)
        {
            var line = lines[i];
            insert.Parameters.Clear();
            insert.Bind("@invoice", invoiceId);
            insert.Bind("@no", i + 1);
            insert.Bind("@kind", StoredNames.Of(line.Kind));
            insert.Bind("@description", line.Description);
            insert.Bind("@model", (object?)line.ModelId ?? DBNull.Value);
            insert.Bind("@version", (object?)line.PriceVersion ?? DBNull.Value);
            insert.Bind("@class", line.TokenClass is { } tokenClass ? StoredNames.Of(tokenClass) : DBNull.Value);
            insert.Bind("@usage", (object?)line.UsagePeriod?.ToString() ?? DBNull.Value);
            insert.Bind("@quantity", Money.Format(line.Quantity));
            insert.Bind("@unit", line.UnitPrice is { } unit ? Money.Format(unit) : DBNull.Value);
            insert.Bind("@amount", Money.Format(line.Amount));
            insert.Bind("@rounded", line.Rounded is { } rounded ? Money.Format(rounded) : DBNull.Value);
            insert.Bind("@ledger", (object?)line.LedgerEntryId ?? DBNull.Value);
            insert.ExecuteNonQuery();
        }
    }

    private static long NextNumber(DbConnection connection, DbTransaction transaction, string counter)
    {
        var next = Command(connection, transaction, """
            INSERT INTO counters (name, value) VALUES (@name, 1) ON CONFLICT (name) DO UPDATE SET value = counters.value + 1 RETURNING value
            """);
        next.Bind("@name", counter);
        return Convert.ToInt64(next.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static long InsertLedger(DbConnection connection, DbTransaction transaction, string customerId, LedgerEntryKind kind, decimal amount,
        string reference, long? corrects, string? note, DateTimeOffset at)
    {
        var insert = Command(connection, transaction, """
            INSERT INTO ledger_entries (customer_id, kind, amount, reference, created_at, corrects, note)
            VALUES (@customer, @kind, @amount, @reference, @at, @corrects, @note) RETURNING id
            """);
        insert.Bind("@customer", customerId);
        insert.Bind("@kind", (int)kind);
        insert.Bind("@amount", Money.Format(amount));
        insert.Bind("@reference", reference);
        insert.Bind("@at", UnixTime.ToStored(at));
        insert.Bind("@corrects", (object?)corrects ?? DBNull.Value);
        insert.Bind("@note", (object?)note ?? DBNull.Value);
        return Convert.ToInt64(insert.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private const string InvoiceColumns =
        "id, customer_id, period, billing_mode, status, number, total, amount_paid, credit_note_number, void_reason, created_at, updated_at, finalized_at, paid_at, voided_at";

    private static InvoiceRecord? ReadInvoice(DbConnection connection, DbTransaction? transaction, string id) =>
        ReadInvoices(connection, transaction, "id = @id", c => c.Bind("@id", id)).FirstOrDefault();

    private static List<InvoiceRecord> ReadInvoices(DbConnection connection, DbTransaction? transaction, string filter, Action<DbCommand> bind)
    {
        var select = Command(connection, transaction, $"SELECT {InvoiceColumns} FROM invoices WHERE {filter}");
        bind(select);
        var invoices = new List<InvoiceRecord>();
        using var reader = select.ExecuteReader();
        while (reader.Read()) invoices.Add(ReadInvoiceRow(reader));
        return invoices;
    }

    private static InvoiceRecord ReadInvoiceRow(DbDataReader r) => new(
        r.GetString(0), r.GetString(1), BillingPeriod.Parse(r.GetString(2)), StoredNames.Parse<BillingMode>(r.GetString(3)),
        StoredNames.Parse<InvoiceStatus>(r.GetString(4)), r.IsDBNull(5) ? null : r.GetString(5), Money.Parse(r.GetString(6)), Money.Parse(r.GetString(7)),
        r.IsDBNull(8) ? null : r.GetString(8), r.IsDBNull(9) ? null : r.GetString(9), UnixTime.FromStored(r.GetInt64(10)), UnixTime.FromStored(r.GetInt64(11)),
        r.IsDBNull(12) ? null : UnixTime.FromStored(r.GetInt64(12)), r.IsDBNull(13) ? null : UnixTime.FromStored(r.GetInt64(13)),
        r.IsDBNull(14) ? null : UnixTime.FromStored(r.GetInt64(14)), []);

    private static InvoiceRecord WithLines(DbConnection connection, DbTransaction? transaction, InvoiceRecord invoice)
    {
        var select = Command(connection, transaction, """
            SELECT kind, description, model_id, price_version, token_class, usage_period, quantity, unit_price, amount, rounded_amount, ledger_entry_id
            FROM invoice_lines WHERE invoice_id = @id ORDER BY line_no
            """);
        select.Bind("@id", invoice.Id);
        var lines = new List<InvoiceLine>();
        using var r = select.ExecuteReader();
        while (r.Read())
        {
            lines.Add(new InvoiceLine(StoredNames.Parse<InvoiceLineKind>(r.GetString(0)), r.GetString(1), Money.Parse(r.GetString(6)),
                r.IsDBNull(7) ? null : Money.Parse(r.GetString(7)), Money.Parse(r.GetString(8)))
            {
                ModelId = r.IsDBNull(2) ? null : r.GetString(2),
                PriceVersion = r.IsDBNull(3) ? null : r.GetInt64(3),
                TokenClass = r.IsDBNull(4) ? null : StoredNames.Parse<TokenClass>(r.GetString(4)),
                UsagePeriod = r.IsDBNull(5) ? null : BillingPeriod.Parse(r.GetString(5)),
                Rounded = r.IsDBNull(9) ? null : Money.Parse(r.GetString(9)),
                LedgerEntryId = r.IsDBNull(10) ? null : r.GetInt64(10),
            });
        }
        return invoice with { Lines = lines };
    }
}
