using System.Text.Json;
using Tollgate.Admin;
using Tollgate.Billing;
using Tollgate.Billing.Invoices;
using Tollgate.Gateway.Stages;
using Tollgate.Storage;

namespace Tollgate.Gateway;

/// <summary>
/// <c>GET /v1/account/usage</c> (a month's usage per day and model, default the current month) and
/// <c>GET /v1/account/invoices</c> (finalized, paid and void invoices with their lines; drafts are the operator's).
/// </summary>
internal sealed class AccountBillingEndpoints(Authenticate authenticate, IInvoiceStore invoices, TimeProvider time)
{
    private const int InvoicesShown = 24;

    public async Task UsageAsync(HttpContext http)
    {
        using var request = new GatewayRequest(http, Upstreams.ModelOperation.ChatCompletions, RequestIds.Current(http), time.GetUtcNow());
        if (authenticate.Run(request) is { } error)
        {
            await ApiErrorWriter.WriteAsync(http, error);
            return;
        }
        var period = BillingPeriod.Of(time.GetUtcNow());
        if (http.Request.Query["period"] is { Count: > 0 } asked && !BillingPeriod.TryParse(asked[0], out period))
        {
            await ApiErrorWriter.WriteAsync(http, ApiError.InvalidRequest("'period' must be a month written YYYY-MM.", "period"));
            return;
        }
        var days = await invoices.DailyUsageAsync(request.Customer.Id, period, http.RequestAborted);
        var document = new AccountUsage("list", period.ToString(), Money.Format(days.Sum(d => d.ChargedAmount)),
            [.. days.Select(d => new AccountUsageDay(d.Day, d.ModelId, d.Requests, d.Tokens.InputTokens, d.Tokens.CachedInputTokens, d.Tokens.OutputTokens,
                Money.Format(d.ChargedAmount), d.Tokens.CacheWriteTokens))]);
        http.Response.ContentType = "application/json";
        await http.Response.Body.WriteAsync(JsonSerializer.SerializeToUtf8Bytes(document, GatewayJson.Default.AccountUsage));
    }

    public async Task InvoicesAsync(HttpContext http)
    {
        using var request = new GatewayRequest(http, Upstreams.ModelOperation.ChatCompletions, RequestIds.Current(http), time.GetUtcNow());
        if (authenticate.Run(request) is { } error)
        {
            await ApiErrorWriter.WriteAsync(http, error);
            return;
        }
        var issued = new List<InvoiceRecord>();
        string? after = null;
        while (true)
        {
            var page = await invoices.ListAsync(new InvoiceFilter(request.Customer.Id), new Page(Page.MaxLimit, after), http.RequestAborted);
            issued.AddRange(page.Items.Where(i => i.Status != InvoiceStatus.Draft));
            if (!page.HasMore || page.Items.Count == 0) break;
            after = page.Items[^1].Id;
        }
        var shown = new List<InvoiceDto>();
        foreach (var invoice in issued.OrderByDescending(i => i.Period).ThenByDescending(i => i.CreatedAt).Take(InvoicesShown))
        {
            if (await invoices.GetAsync(invoice.Id, http.RequestAborted) is { } full) shown.Add(full.ToDto(await invoices.PaymentsAsync(invoice.Id, http.RequestAborted)));
        }
        http.Response.ContentType = "application/json";
        await http.Response.Body.WriteAsync(JsonSerializer.SerializeToUtf8Bytes(new AccountInvoices("list", shown), GatewayJson.Default.AccountInvoices));
    }
}

internal sealed record AccountUsage(string Object, string Period, string TotalCharged, IReadOnlyList<AccountUsageDay> Data);

internal sealed record AccountUsageDay(string Day, string Model, long Requests, long InputTokens, long CachedInputTokens, long OutputTokens, string ChargedAmount,
    long CacheWriteTokens);

internal sealed record AccountInvoices(string Object, IReadOnlyList<InvoiceDto> Data);
