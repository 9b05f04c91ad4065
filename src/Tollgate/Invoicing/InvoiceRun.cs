using Tollgate.Billing.Invoices;

namespace Tollgate.Invoicing;

/// <summary>A run over every customer for one period; its counters move as it goes, for progress bars.</summary>
internal sealed class InvoiceRun(string id, BillingPeriod period, bool finalize, string? customerId, int customers, DateTimeOffset startedAt)
{
    private int _done;
    private int _created;
    private int _refreshed;
    private int _finalized;
    private int _alreadyFinalized;
    private int _failed;

    public string Id { get; } = id;
    public BillingPeriod Period { get; } = period;
    public bool Finalize { get; } = finalize;
    public string? CustomerId { get; } = customerId;
    public int Customers { get; } = customers;
    public DateTimeOffset StartedAt { get; } = startedAt;
    public DateTimeOffset? CompletedAt { get; private set; }
    public string? Error { get; private set; }

    public int Done => Volatile.Read(ref _done);
    public int Created => Volatile.Read(ref _created);
    public int Refreshed => Volatile.Read(ref _refreshed);
    public int Finalized => Volatile.Read(ref _finalized);
    public int AlreadyFinalized => Volatile.Read(ref _alreadyFinalized);
    public int Failed => Volatile.Read(ref _failed);

    /// <summary><c>running</c>, <c>succeeded</c>, or <c>failed</c> (some customers could not be invoiced; run it again).</summary>
    public string Status => CompletedAt is null ? "running" : Failed > 0 || Error is not null ? "failed" : "succeeded";

    internal void Count(Storage.InvoiceRunOutcome outcome)
    {
        switch (outcome)
        {
            case Storage.InvoiceRunOutcome.Created: Interlocked.Increment(ref _created); break;
            case Storage.InvoiceRunOutcome.Refreshed: Interlocked.Increment(ref _refreshed); break;
            case Storage.InvoiceRunOutcome.Finalized: Interlocked.Increment(ref _finalized); break;
            default: Interlocked.Increment(ref _alreadyFinalized); break;
        }
        Interlocked.Increment(ref _done);
    }

    internal void CountFailure()
    {
        Interlocked.Increment(ref _failed);
        Interlocked.Increment(ref _done);
    }

    internal void Complete(DateTimeOffset at, string? error)
    {
        Error = error;
        CompletedAt = at;
    }
}
