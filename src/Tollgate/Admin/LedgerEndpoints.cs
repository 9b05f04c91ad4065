using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Tollgate.Billing;
using Tollgate.Billing.Invoices;
using Tollgate.Billing.Ledger;
using Tollgate.Budgets;
using Tollgate.Catalog;
using Tollgate.Hosting;
using Tollgate.Storage;

namespace Tollgate.Admin;

/// <summary>A customer's ledger (append-only: corrections are new entries), and reconciliation of usage against it and the invoices.</summary>
internal static class LedgerEndpoints
{
    public static void MapLedger(this RouteGroupBuilder admin)
    {
        admin.MapGet("/customers/{customerId}/ledger", ListAsync).RequireAuthorization(AdminScopes.Policy(AdminScopes.Read));
        admin.MapPost("/customers/{customerId}/ledger", AppendAsync).RequireAuthorization(AdminScopes.Policy(AdminScopes.Billing));
        admin.MapGet("/reconcile", ReconcileAsync).RequireAuthorization(AdminScopes.Policy(AdminScopes.Read));
    }

    private static async Task<Results<Ok<ListResponse<LedgerEntryDto>>, ApiErrorResult>> ListAsync(
        string customerId, int? limit, [FromQuery(Name = "starting_after")] string? startingAfter, CatalogState catalog, IInvoiceStore invoices,
        CancellationToken cancellationToken)
    {
        if (!catalog.Current.Customers.ContainsKey(customerId)) return ApiErrorResult.NotFound("customer", customerId);
        if (!Paging.TryRead(limit, startingAfter, out var page, out var error)) return error!;
        if (page.StartingAfter is { } after && !long.TryParse(after, out _)) return ApiErrorResult.Invalid("'starting_after' must be a ledger entry id.", "starting_after");
        var entries = await invoices.LedgerAsync(customerId, page, cancellationToken);
        return TypedResults.Ok(new ListResponse<LedgerEntryDto>([.. entries.Items.Select(e => e.ToDto())], entries.HasMore));
    }

    private static async Task<Results<Created<LedgerEntryDto>, ApiErrorResult>> AppendAsync(
        string customerId, LedgerEntryRequest? body, ClaimsPrincipal user, CatalogState catalog, IInvoiceStore invoices, Accounts accounts, TimeProvider time,
        CancellationToken cancellationToken)
    {
        if (!catalog.Current.Customers.ContainsKey(customerId)) return ApiErrorResult.NotFound("customer", customerId);
        LedgerEntryKind kind;
        switch (body?.Kind)
        {
            case "adjustment": kind = LedgerEntryKind.Adjustment; break;
            case "discount": kind = LedgerEntryKind.Discount; break;
            case "credit_note": kind = LedgerEntryKind.CreditNote; break;
            default: return ApiErrorResult.Invalid("'kind' must be adjustment, discount or credit_note.", "kind");
        }
        if (!Money.TryParse(body.Amount, out var amount) || amount == 0 || decimal.Round(amount, 12) != amount || Math.Abs(amount) > 1_000_000_000m)
            return ApiErrorResult.Invalid("'amount' must be a non-zero decimal string of dollars (positive credits the customer).", "amount");
        if (kind != LedgerEntryKind.Adjustment && amount < 0)
            return ApiErrorResult.Invalid("A discount or credit note credits the customer: 'amount' must be positive (use an adjustment to charge).", "amount");
        if (body.Note is { Length: > 500 }) return ApiErrorResult.Invalid("'note' must be at most 500 characters.", "note");
        try
        {
            var now = time.UtcNowStored();
            var entry = await invoices.AppendLedgerAsync(customerId, kind, amount, body.Note, body.Corrects, user.Actor(), now, cancellationToken);
            accounts.AdjustFunds(customerId, amount, now);
            return TypedResults.Created($"/admin/v1/customers/{customerId}/ledger", entry.ToDto());
        }
        catch (InvoiceStateException ex)
        {
            return ApiErrorResult.Invalid(ex.Message, "corrects");
        }
    }

    private static async Task<Results<Ok<ReconciliationDto>, ApiErrorResult>> ReconcileAsync(
        string? period, bool? all, IReconciler reconciler, CancellationToken cancellationToken)
    {
        BillingPeriod? month = null;
        if (period is not null)
        {
            if (!BillingPeriod.TryParse(period, out var parsed)) return ApiErrorResult.Invalid("'period' must be a month written YYYY-MM.", "period");
            month = parsed;
        }
        var report = await reconciler.ReconcileAsync(month, cancellationToken);
        return TypedResults.Ok(new ReconciliationDto(month?.ToString(), report.Agrees, report.Rows.Count, Money.Format(report.Rows.Sum(r => r.Events)),
            [.. report.Differences.Select(r => r.ToDto())], all == true ? [.. report.Rows.Select(r => r.ToDto())] : null)
        {
            InvoicesChecked = report.Invoices.Count,
            InvoiceDifferences = [.. report.Invoices.Where(i => !i.Agrees)
                .Select(i => new InvoiceCheckDto(i.InvoiceId, i.Number, i.CustomerId, i.Period.ToString(), Money.Format(i.Invoiced), Money.Format(i.Ledger)))],
            NegativeBalances = [.. report.NegativeBalances.Select(n => new NegativeBalanceDto(n.CustomerId, n.At, Money.Format(n.Balance)))],
        });
    }
}
