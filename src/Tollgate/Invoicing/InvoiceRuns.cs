using System.Collections.Concurrent;
using Tollgate.Billing;
using Tollgate.Billing.Invoices;
using Tollgate.Catalog;
using Tollgate.Hosting;
using Tollgate.Security;
using Tollgate.Storage;
using Tollgate.Webhooks;

namespace Tollgate.Invoicing;

/// <summary>
/// Starts invoice runs in the background and remembers them for progress. A second request for a
/// period already running joins that run; even two runs at once could not bill twice, since each
/// customer's invoice is written in one transaction and a finalized invoice is never rebuilt.
/// </summary>
internal sealed partial class InvoiceRuns(
    IInvoiceStore store, CatalogState catalog, WebhookOutbox outbox, Budgets.Accounts accounts, StorageGuard storage, TimeProvider time,
    IHostApplicationLifetime lifetime, ILogger<InvoiceRuns> logger)
{
    private const int RememberedRuns = 100;
    private readonly ConcurrentDictionary<string, InvoiceRun> _runs = new(StringComparer.Ordinal);
    private readonly Lock _starting = new();

    public InvoiceRun? Get(string id) => _runs.GetValueOrDefault(id);

    /// <summary>Starts the run, or returns the one already running for the same period, mode and customer.</summary>
    public InvoiceRun Start(BillingPeriod period, bool finalize, string? customerId, string actor)
    {
        lock (_starting)
        {
            var running = _runs.Values.FirstOrDefault(r =>
                r.CompletedAt is null && r.Period == period && r.Finalize == finalize && r.CustomerId == customerId);
            if (running is not null) return running;
            var customers = catalog.Current.Customers.Values
                .Where(c => (customerId is null || c.Id == customerId) && c.CreatedAt < period.End)
                .OrderBy(c => c.Id, StringComparer.Ordinal)
                .ToList();
            var run = new InvoiceRun(RandomText.Id("run_"), period, finalize, customerId, customers.Count, time.GetUtcNow());
            Forget();
            _runs[run.Id] = run;
            _ = Task.Run(() => ExecuteAsync(run, customers, actor));
            return run;
        }
    }

    private async Task ExecuteAsync(InvoiceRun run, List<CustomerEntry> customers, string actor)
    {
        string? error = null;
        try
        {
            foreach (var customer in customers)
            {
                lifetime.ApplicationStopping.ThrowIfCancellationRequested();
                // A broken storage would fail every customer left (each with its own error line): the run stops instead.
                if (storage.Tripped)
                {
                    error = "Stopped by a storage fault (see /readyz); run it again once the database takes writes (customers already done are not billed twice).";
                    break;
                }
                try
                {
                    var (outcome, invoice) = await store.RunAsync(customer.Id, customer.BillingMode, run.Period, run.Finalize, actor, time.GetUtcNow(),
                        lifetime.ApplicationStopping);
                    if (outcome == InvoiceRunOutcome.Finalized) Finalized(invoice);
                    run.Count(outcome);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogCustomerFailed(logger, ex, run.Period, customer.Id);
                    run.CountFailure();
                }
            }
        }
        catch (OperationCanceledException)
        {
            error = "Stopped by shutdown; run it again to finish (customers already done are not billed twice).";
        }
        run.Complete(time.GetUtcNow(), error);
        LogRunCompleted(logger, run.Id, run.Period, run.Done, run.Finalized, run.Failed);
    }

    /// <summary>Sends <c>invoice.finalized</c>; also used when a single invoice is finalized through the admin API.</summary>
    /// <summary>After an invoice is finalized: the wallet takes its rounding entry, and <c>invoice.finalized</c> goes out.</summary>
    public void Finalized(InvoiceRecord invoice)
    {
        if (invoice.RoundingBooked != 0) accounts.AdjustFunds(invoice.CustomerId, invoice.RoundingBooked, invoice.FinalizedAt ?? time.UtcNowStored());
        // Finalizing may also book contract true-ups: a cluster's shared wallet reads them from the ledger now.
        accounts.LedgerChanged(invoice.CustomerId);
        Announce(invoice);
    }

    private void Announce(InvoiceRecord invoice) =>
        outbox.Post(WebhookEvent.Create(WebhookEventTypes.InvoiceFinalized,
            new InvoiceFinalizedData(invoice.Id, invoice.Number!, invoice.CustomerId, invoice.Period.ToString(), StoredNames.Of(invoice.Status),
                Money.Format(invoice.Total), Money.Format(invoice.AmountDue), invoice.FinalizedAt ?? time.GetUtcNow()),
            WebhookJson.Default.InvoiceFinalizedData, time.GetUtcNow(), $"invoice.finalized:{invoice.Id}"));

    private void Forget()
    {
        if (_runs.Count < RememberedRuns) return;
        foreach (var old in _runs.Values.Where(r => r.CompletedAt is not null).OrderBy(r => r.StartedAt).Take(_runs.Count - RememberedRuns + 1))
            _runs.TryRemove(old.Id, out _);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Invoicing {Period} for customer {CustomerId} failed")]
    private static partial void LogCustomerFailed(ILogger logger, Exception exception, BillingPeriod period, string customerId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Invoice run {RunId} for {Period} completed: {Done} customers, {Finalized} finalized, {Failed} failed")]
    private static partial void LogRunCompleted(ILogger logger, string runId, BillingPeriod period, int done, int finalized, int failed);
}
