using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Tollgate.Admin.Services;
using Tollgate.Billing.Invoices;
using Tollgate.Catalog;
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

    private static Results<Accepted<InvoiceRunDto>, ApiErrorResult> StartRun(InvoiceRunRequest? body, ClaimsPrincipal user, InvoiceService service)
    {
        var outcome = service.StartRun(body, user);
        return outcome.Error is { } error ? error : TypedResults.Accepted($"/admin/v1/invoice-runs/{outcome.Value!.Id}", outcome.Value);
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
        string invoiceId, ClaimsPrincipal user, InvoiceService service, CancellationToken cancellationToken) =>
        (await service.FinalizeAsync(invoiceId, user, cancellationToken)).ToOk();

    private static async Task<Results<Ok<InvoiceDto>, Created<InvoiceDto>, ApiErrorResult>> PayAsync(
        string invoiceId, PaymentRequest? body, ClaimsPrincipal user, InvoiceService service, CancellationToken cancellationToken)
    {
        var outcome = await service.PayAsync(invoiceId, body, user, cancellationToken);
        if (outcome.Error is { } error) return error;
        var (dto, recorded) = outcome.Value!;
        return recorded ? TypedResults.Created($"/admin/v1/invoices/{invoiceId}", dto) : TypedResults.Ok(dto);
    }

    private static async Task<Results<Ok<InvoiceDto>, ApiErrorResult>> VoidAsync(
        string invoiceId, VoidRequest? body, ClaimsPrincipal user, InvoiceService service, CancellationToken cancellationToken) =>
        (await service.VoidAsync(invoiceId, body, user, cancellationToken)).ToOk();
}
