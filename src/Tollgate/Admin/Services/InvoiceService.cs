using System.Security.Claims;
using Tollgate.Billing;
using Tollgate.Billing.Invoices;
using Tollgate.Budgets;
using Tollgate.Catalog;
using Tollgate.Hosting;
using Tollgate.Invoicing;
using Tollgate.Storage;

namespace Tollgate.Admin.Services;

/// <summary>Invoice runs and the invoice state changes (finalize, record a payment, void), for the admin API and the console alike.</summary>
internal sealed class InvoiceService(
    IInvoiceStore invoices, InvoiceRuns runs, CatalogState catalog, Accounts accounts, Tiers tiers, TierRefresher tierRefresher, TimeProvider time)
{
    public Outcome<InvoiceRunDto> StartRun(InvoiceRunRequest? body, ClaimsPrincipal user)
    {
        if (!BillingPeriod.TryParse(body?.Period, out var period)) return ApiErrorResult.Invalid("'period' must be a month written YYYY-MM.", "period");
        var finalize = body!.Finalize ?? false;
        if (finalize && time.GetUtcNow() < period.End)
            return ApiErrorResult.Conflict($"Period {period} has not ended; its invoices can be drafted (finalize: false) but not finalized.", "period_not_ended");
        if (period.Start > time.GetUtcNow()) return ApiErrorResult.Invalid($"Period {period} has not started.", "period");
        if (body.CustomerId is { } customerId && !catalog.Current.Customers.ContainsKey(customerId)) return ApiErrorResult.NotFound("customer", customerId);
        var run = runs.Start(period, finalize, body.CustomerId, user.Actor());
        return run.ToDto();
    }

    public async Task<Outcome<InvoiceDto>> FinalizeAsync(string invoiceId, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        try
        {
            var invoice = await invoices.FinalizeAsync(invoiceId, user.Actor(), time.UtcNowStored(), cancellationToken);
            runs.Finalized(invoice);
            return invoice.ToDto([]);
        }
        catch (KeyNotFoundException)
        {
            return ApiErrorResult.NotFound("invoice", invoiceId);
        }
        catch (InvoiceStateException ex)
        {
            return ApiErrorResult.Conflict(ex.Message, "invoice_state");
        }
    }

    /// <summary>Records a payment; <see cref="RecordedPayment.Recorded"/> is false when the reference was already recorded (nothing moved).</summary>
    public async Task<Outcome<RecordedPayment>> PayAsync(string invoiceId, PaymentRequest? body, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        if (!Money.TryParse(body?.Amount, out var amount) || amount <= 0 || decimal.Round(amount, 2) != amount)
            return ApiErrorResult.Invalid("'amount' must be a positive decimal string of dollars and cents.", "amount");
        if (string.IsNullOrWhiteSpace(body!.Reference) || body.Reference.Length > 200)
            return ApiErrorResult.Invalid("'reference' (the payment's own reference, e.g. a bank transfer id; 1 to 200 characters) is required.", "reference");
        try
        {
            var now = time.UtcNowStored();
            var (invoice, recorded) = await invoices.RecordPaymentAsync(invoiceId, amount, body.Reference, user.Actor(), now, cancellationToken);
            // Money in frees a postpaid customer's credit at once; a repeated reference moved nothing.
            if (recorded) accounts.AdjustFunds(invoice.CustomerId, amount, now);
            // A payment is paid spend: the customer's tier moves before the next request.
            if (recorded && tiers.Enabled) await tierRefresher.RefreshAsync(cancellationToken);
            var dto = invoice.ToDto(await invoices.PaymentsAsync(invoiceId, cancellationToken));
            return new RecordedPayment(dto, recorded);
        }
        catch (KeyNotFoundException)
        {
            return ApiErrorResult.NotFound("invoice", invoiceId);
        }
        catch (InvoiceStateException ex)
        {
            return ApiErrorResult.Conflict(ex.Message, "invoice_state");
        }
    }

    public async Task<Outcome<InvoiceDto>> VoidAsync(string invoiceId, VoidRequest? body, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(body?.Reason) || body.Reason.Length > 500)
            return ApiErrorResult.Invalid("'reason' (1 to 500 characters) is required to void an invoice.", "reason");
        try
        {
            var now = time.UtcNowStored();
            var invoice = await invoices.VoidAsync(invoiceId, body.Reason, user.Actor(), now, cancellationToken);
            if (invoice.RoundingBooked != 0) accounts.AdjustFunds(invoice.CustomerId, invoice.RoundingBooked, now);
            return invoice.ToDto([]);
        }
        catch (KeyNotFoundException)
        {
            return ApiErrorResult.NotFound("invoice", invoiceId);
        }
        catch (InvoiceStateException ex)
        {
            return ApiErrorResult.Conflict(ex.Message, "invoice_state");
        }
    }
}

internal sealed record RecordedPayment(InvoiceDto Invoice, bool Recorded);
