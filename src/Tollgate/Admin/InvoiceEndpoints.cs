using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Tollgate.Billing;
using Tollgate.Billing.Invoices;
using Tollgate.Budgets;
using Tollgate.Catalog;
using Tollgate.Hosting;
using Tollgate.Invoicing;
using Tollgate.Storage;

namespace Tollgate.Admin;

/// <summary>Invoice runs, invoices, their payments, voiding and exports.</summary>
internal static class InvoiceEndpoints
{
    public static void MapInvoices(this RouteGroupBuilder admin)
    {
        var billing = AdminScopes.Policy(AdminScopes.Billing);
        var read = AdminScopes.Policy(AdminScopes.Read);
        admin.MapPost("/invoice-runs", StartRun).RequireAuthorization(billing);
        admin.MapGet("/invoice-runs/{runId}", GetRun).RequireAuthorization(read);
        admin.MapGet("/invoices", ListAsync).RequireAuthorization(read);
        admin.MapGet("/invoices/{invoiceId}", GetAsync).RequireAuthorization(read);
        admin.MapGet("/invoices/{invoiceId}/export", ExportAsync).RequireAuthorization(read);
        admin.MapPost("/invoices/{invoiceId}/finalize", FinalizeAsync).RequireAuthorization(billing);
        admin.MapPost("/invoices/{invoiceId}/payments", PayAsync).RequireAuthorization(billing);
        admin.MapPost("/invoices/{invoiceId}/void", VoidAsync).RequireAuthorization(billing);
    }

    private static Results<Accepted<InvoiceRunDto>, ApiErrorResult> StartRun(
        InvoiceRunRequest? body, ClaimsPrincipal user, InvoiceRuns runs, CatalogState catalog, TimeProvider time)
    {
        if (!BillingPeriod.TryParse(body?.Period, out var period)) return ApiErrorResult.Invalid("'period' must be a month written YYYY-MM.", "period");
        var finalize = body!.Finalize ?? false;
        if (finalize && time.GetUtcNow() < period.End)
            return ApiErrorResult.Conflict($"Period {period} has not ended; its invoices can be drafted (finalize: false) but not finalized.", "period_not_ended");
        if (period.Start > time.GetUtcNow()) return ApiErrorResult.Invalid($"Period {period} has not started.", "period");
        if (body.CustomerId is { } customerId && !catalog.Current.Customers.ContainsKey(customerId)) return ApiErrorResult.NotFound("customer", customerId);
        var run = runs.Start(period, finalize, body.CustomerId, user.Actor());
        return TypedResults.Accepted($"/admin/v1/invoice-runs/{run.Id}", run.ToDto());
    }

    private static Results<Ok<InvoiceRunDto>, ApiErrorResult> GetRun(string runId, InvoiceRuns runs) =>
        runs.Get(runId) is { } run ? TypedResults.Ok(run.ToDto()) : ApiErrorResult.NotFound("invoice run", runId);

    private static async Task<Results<Ok<ListResponse<InvoiceDto>>, ApiErrorResult>> ListAsync(
        IInvoiceStore invoices, [FromQuery(Name = "customer_id")] string? customerId, string? period, string? status, int? limit,
        [FromQuery(Name = "starting_after")] string? startingAfter, CancellationToken cancellationToken)
    {
        if (!Paging.TryRead(limit, startingAfter, out var page, out var error)) return error!;
        BillingPeriod? month = null;
        if (period is not null)
        {
            if (!BillingPeriod.TryParse(period, out var parsed)) return ApiErrorResult.Invalid("'period' must be a month written YYYY-MM.", "period");
            month = parsed;
        }
        InvoiceStatus? state = null;
        if (status is not null)
        {
            if (!StoredNames.TryParse<InvoiceStatus>(status, out var parsed)) return ApiErrorResult.Invalid("'status' must be draft, finalized, paid or void.", "status");
            state = parsed;
        }
        var found = await invoices.ListAsync(new InvoiceFilter(customerId, month, state), page, cancellationToken);
        return TypedResults.Ok(new ListResponse<InvoiceDto>([.. found.Items.Select(i => i.ToDto(lines: false))], found.HasMore));
    }

    private static async Task<Results<Ok<InvoiceDto>, ApiErrorResult>> GetAsync(string invoiceId, IInvoiceStore invoices, CancellationToken cancellationToken) =>
        await invoices.GetAsync(invoiceId, cancellationToken) is { } invoice
            ? TypedResults.Ok(invoice.ToDto(await invoices.PaymentsAsync(invoiceId, cancellationToken)))
            : ApiErrorResult.NotFound("invoice", invoiceId);

    private static async Task<IResult> ExportAsync(string invoiceId, string? format, IInvoiceStore invoices, CatalogState catalog, CancellationToken cancellationToken)
    {
        if (await invoices.GetAsync(invoiceId, cancellationToken) is not { } invoice) return ApiErrorResult.NotFound("invoice", invoiceId);
        var payments = await invoices.PaymentsAsync(invoiceId, cancellationToken);
        var name = invoice.Number ?? $"draft-{invoice.Id}";
        var customer = catalog.Current.Customers.GetValueOrDefault(invoice.CustomerId)?.Name ?? invoice.CustomerId;
        return (format ?? "json") switch
        {
            "json" => TypedResults.Json(invoice.ToDto(payments), AdminJson.Default.InvoiceDto),
            "csv" => TypedResults.File(InvoiceExport.Csv(invoice), "text/csv; charset=utf-8", $"{name}.csv"),
            "html" => TypedResults.Content(InvoiceExport.Html(invoice, customer, payments), "text/html; charset=utf-8"),
            _ => ApiErrorResult.Invalid("'format' must be json, csv or html.", "format"),
        };
    }

    private static async Task<Results<Ok<InvoiceDto>, ApiErrorResult>> FinalizeAsync(
        string invoiceId, ClaimsPrincipal user, IInvoiceStore invoices, InvoiceRuns runs, TimeProvider time, CancellationToken cancellationToken)
    {
        try
        {
            var invoice = await invoices.FinalizeAsync(invoiceId, user.Actor(), time.UtcNowStored(), cancellationToken);
            runs.Announce(invoice);
            return TypedResults.Ok(invoice.ToDto([]));
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

    private static async Task<Results<Ok<InvoiceDto>, Created<InvoiceDto>, ApiErrorResult>> PayAsync(
        string invoiceId, PaymentRequest? body, ClaimsPrincipal user, IInvoiceStore invoices, Accounts accounts, Tiers tiers, TierRefresher tierRefresher,
        TimeProvider time, CancellationToken cancellationToken)
    {
        if (!Money.TryParse(body?.Amount, out var amount) || amount <= 0 || decimal.Round(amount, 2) != amount)
            return ApiErrorResult.Invalid("'amount' must be a positive decimal string of dollars and cents.", "amount");
        if (string.IsNullOrWhiteSpace(body!.Reference) || body.Reference.Length > 200)
            return ApiErrorResult.Invalid("'reference' (the payment's own reference, e.g. a bank transfer id; 1 to 200 characters) is required.", "reference");
        try
        {
            var (invoice, recorded) = await invoices.RecordPaymentAsync(invoiceId, amount, body.Reference, user.Actor(), time.UtcNowStored(), cancellationToken);
            // Money in frees a postpaid customer's credit at once; a repeated reference moved nothing.
            if (recorded) accounts.AdjustFunds(invoice.CustomerId, amount);
            // A payment is paid spend: the customer's tier moves before the next request.
            if (recorded && tiers.Enabled) await tierRefresher.RefreshAsync(cancellationToken);
            var dto = invoice.ToDto(await invoices.PaymentsAsync(invoiceId, cancellationToken));
            return recorded ? TypedResults.Created($"/admin/v1/invoices/{invoiceId}", dto) : TypedResults.Ok(dto);
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

    private static async Task<Results<Ok<InvoiceDto>, ApiErrorResult>> VoidAsync(
        string invoiceId, VoidRequest? body, ClaimsPrincipal user, IInvoiceStore invoices, TimeProvider time, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(body?.Reason) || body.Reason.Length > 500)
            return ApiErrorResult.Invalid("'reason' (1 to 500 characters) is required to void an invoice.", "reason");
        try
        {
            var invoice = await invoices.VoidAsync(invoiceId, body.Reason, user.Actor(), time.UtcNowStored(), cancellationToken);
            return TypedResults.Ok(invoice.ToDto([]));
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
