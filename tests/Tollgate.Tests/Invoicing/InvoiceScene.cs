using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using Tollgate.Billing;
using Tollgate.Tests.Admin;
using Tollgate.Tests.Infrastructure;

namespace Tollgate.Tests.Invoicing;

/// <summary>
/// A Tollgate on a fake clock with one model served by the stub upstream (whose usage numbers the
/// test sets), and the admin calls invoicing tests need.
/// </summary>
internal sealed class InvoiceScene : IAsyncDisposable
{
    public const string Model = "m";
    private const string Route = "invoicing";

    private InvoiceScene(FakeTimeProvider time, TollgateFactory app, StubUpstream upstream)
    {
        Time = time;
        App = app;
        Upstream = upstream;
        Admin = app.AdminClient();
    }

    public FakeTimeProvider Time { get; }
    public TollgateFactory App { get; }
    public StubUpstream Upstream { get; }
    public HttpClient Admin { get; }

    /// <summary>Starts on <paramref name="start"/> with model <c>m</c> priced at the given rates per 1M tokens.</summary>
    public static async Task<InvoiceScene> StartAsync(DateTimeOffset start, string input = "2", string cachedInput = "0.5", string output = "8", string requestFee = "0",
        bool tiers = false)
    {
        var time = new FakeTimeProvider(start);
        var upstream = await StubUpstream.StartAsync();
        var app = new TollgateFactory(time, demo: false) { Tiers = tiers };
        var scene = new InvoiceScene(time, app, upstream);
        await scene.Admin.SendAsync(HttpMethod.Put, $"/admin/v1/models/{Model}", $$"""
            {"kind":"chat","max_output_tokens":1000000,
             "backends":[{"id":"m-up","kind":"open_ai","base_url":"{{upstream.BaseUrl(Route)}}","upstream_model":"up-model",
                          "cost":{"input":"0.1","output":"0.2"} }],
             "price":{"input":"{{input}}","cached_input":"{{cachedInput}}","output":"{{output}}","request_fee":"{{requestFee}}"} }
            """);
        return scene;
    }

    public async Task<(string CustomerId, string Key)> CustomerAsync(string billingMode = "postpaid", string? creditLimit = null)
    {
        var limit = creditLimit is null ? "" : $",\"credit_limit\":\"{creditLimit}\"";
        var customer = await Admin.PostJsonAsync("/admin/v1/customers", $$"""{"name":"Acme","billing_mode":"{{billingMode}}"{{limit}}}""");
        var key = (await Admin.PostJsonAsync($"/admin/v1/customers/{customer.Id()}/keys", "{}"))["key"]!.GetValue<string>();
        return (customer.Id(), key);
    }

    /// <summary>One chat request whose backend reports exactly these token counts (the prompt is padded so they are plausible).</summary>
    public async Task ChatAsync(string key, int input, int output, int cached = 0)
    {
        Upstream.On(Route, Stub.Completion(Stub.Usage(input, output, cached)));
        using var client = App.ApiClient(key);
        // The gateway trusts reported input only up to the request's size in bytes, and output up to max_tokens.
        var prompt = new string('a', input);
        using var response = await client.PostAsync("/v1/chat/completions",
            TollgateCalls.JsonBody($$"""{"model":"m","max_tokens":{{Math.Max(output, 1)}},"messages":[{"role":"user","content":"{{prompt}}"}]}"""));
        if (response.StatusCode != HttpStatusCode.OK)
            throw new InvalidOperationException($"chat failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>Runs the period through the admin API and waits for the run to complete.</summary>
    public async Task<JsonObject> RunAsync(string period, bool finalize, string? customerId = null)
    {
        var customer = customerId is null ? "" : $",\"customer_id\":\"{customerId}\"";
        var run = await Admin.PostJsonAsync("/admin/v1/invoice-runs", $$"""{"period":"{{period}}","finalize":{{(finalize ? "true" : "false")}}{{customer}}}""",
            HttpStatusCode.Accepted);
        for (var i = 0; i < 500 && run["status"]!.GetValue<string>() == "running"; i++)
        {
            await Task.Delay(20);
            run = await Admin.GetJsonAsync($"/admin/v1/invoice-runs/{run.Id()}");
        }
        return run;
    }

    public async Task<JsonObject> InvoiceAsync(string customerId, string period)
    {
        var list = await Admin.GetJsonAsync($"/admin/v1/invoices?customer_id={customerId}&period={period}");
        var open = list.Data().Single(i => i!["status"]!.GetValue<string>() != "void")!;
        return await Admin.GetJsonAsync($"/admin/v1/invoices/{open["id"]!.GetValue<string>()}");
    }

    public static decimal Amount(JsonNode? node, string field) => Money.Parse(node![field]!.GetValue<string>());

    public async ValueTask DisposeAsync()
    {
        Admin.Dispose();
        await App.DisposeAsync();
        await Upstream.DisposeAsync();
    }
}
