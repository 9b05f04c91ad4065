using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Microsoft.Playwright;
using Tollgate.Distillation;
using Tollgate.Storage;
using Tollgate.Tests.Admin;
using Tollgate.Tests.Infrastructure;
using Tollgate.Web;

namespace Tollgate.Tests.Web;

/// <summary>
/// The console's contract, economics, simulator and flag-review pages in headless Chromium, on a
/// fake clock in the middle of a month. Screenshots of each page are saved.
/// </summary>
public sealed partial class ConsoleReviewBrowserTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 10, 11, 0, 0, 0, TimeSpan.Zero));
    private readonly TollgateFactory _app;
    private Uri _base = null!;
    private HttpClient _admin = null!;

    public ConsoleReviewBrowserTests() => _app = new TollgateFactory(_time);

    public Task InitializeAsync()
    {
        _base = _app.StartKestrel();
        _admin = new HttpClient { BaseAddress = _base };
        _admin.DefaultRequestHeaders.Authorization = new("Bearer", TollgateFactory.AdminToken);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        _admin.Dispose();
        await _app.DisposeAsync();
    }

    [BrowserFact]
    public async Task Contract_CreatedInTheConsole_ShowsCommitmentProgressAfterUsage_ThenCancelled()
    {
        await using var browser = await SignedInAsync();
        var page = browser.Page;
        var customer = await _admin.PostJsonAsync("/admin/v1/customers", """{"name":"Contract Browser Co","billing_mode":"postpaid"}""");

        await page.GotoAsync("/console/contracts");
        await page.SelectOptionAsync("#create-contract select[name=customerId]", customer.Id());
        await page.FillAsync("#create-contract input[name=startsOn]", "2026-10-01");
        await page.FillAsync("#create-contract input[name=endsOn]", "2027-09-30");
        await page.FillAsync("#create-contract input[name=commitment]", "100");
        await page.ClickAsync("#create-contract button[type=submit]");
        await Assertions.Expect(page.Locator(".notice")).ToContainTextAsync("created");
        var contractUrl = page.Url;
        await Assertions.Expect(page.Locator("#progress-used")).ToHaveTextAsync("$0");

        // Ten of October's 31 days have passed: usage so far is projected at the same pace over the month.
        var key = (await _admin.PostJsonAsync($"/admin/v1/customers/{customer.Id()}/keys", "{}"))["key"]!.GetValue<string>();
        for (var i = 0; i < 3; i++) Assert.Equal(HttpStatusCode.OK, await CallAsync(key, "tg-mini"));
        await page.GotoAsync(contractUrl);
        var used = await ValueAsync(page, "#commitment-chart rect.used");
        Assert.True(used > 0, "usage shows on the commitment bar");
        Assert.Equal(Math.Round(used * 31 / 10, 10), await ValueAsync(page, "#commitment-chart rect.projected"));
        Assert.Equal(100m, await ValueAsync(page, "#commitment-chart line.commitment"));
        Assert.Equal(Display.Money(100m - Math.Round(used * 31 / 10, 10)), (await page.Locator("#progress-trueup").InnerTextAsync()).Trim());
        await browser.ScreenshotAsync("contract");
        await page.GotoAsync($"/console/customers/{customer.Id()}");
        await Assertions.Expect(page.Locator("#customer-contract")).ToContainTextAsync("active");
        Assert.Equal(used, await ValueAsync(page, "#customer-commitment-chart rect.used"));
        await page.GotoAsync("/console/contracts");
        await Assertions.Expect(page.Locator("#contracts")).ToContainTextAsync("Contract Browser Co");
        await browser.ScreenshotAsync("contracts");

        await page.GotoAsync(contractUrl);
        await page.ClickAsync("#cancel-contract button");
        await Assertions.Expect(page.Locator("#contract-status")).ToHaveTextAsync("cancelled");
        var contracts = (await _admin.GetJsonAsync($"/admin/v1/contracts?customer={customer.Id()}")).Data();
        Assert.Equal("cancelled", contracts.Single()!["status"]!.GetValue<string>());
    }

    [BrowserFact]
    public async Task Flag_SuspendedFromTheQueue_GatewayAnswers403_LiftedAnswersAgain()
    {
        await _admin.SendAsync(HttpMethod.Put, "/admin/v1/models/flag", """
            {"kind":"chat","tier":"gated","max_output_tokens":50,"backends":[{"id":"flag-sim","kind":"simulator"}],"price":{"input":"0","output":"0","request_fee":"0.5"}}
            """);
        var customer = await _admin.PostJsonAsync("/admin/v1/customers", """{"name":"Harvest Browser Co","billing_mode":"postpaid"}""");
        await _admin.PostJsonAsync("/admin/v1/contracts", $$"""
            {"customer_id":"{{customer.Id()}}","ends_at":"2027-10-01T00:00:00Z","monthly_commitment":"10","entitled_models":["flag"]}
            """);
        var key = (await _admin.PostJsonAsync($"/admin/v1/customers/{customer.Id()}/keys", "{}"))["key"]!.GetValue<string>();
        Assert.Equal(HttpStatusCode.OK, await CallAsync(key, "flag"));
        var flag = new DistillationFlag("flag_browser", customer.Id(), "flag", DateOnly.FromDateTime(_time.GetUtcNow().UtcDateTime), 87.5,
            new DistillationSignals(4200, 2_100_000, 9_800_000, 4.67, 0.62, 0.81, 0.95, 0.4, 24, 3.1), FlagStatus.Open, null, _time.GetUtcNow(), _time.GetUtcNow());
        Assert.True(await _app.Services.GetRequiredService<IFlagStore>().RaiseAsync(flag));

        await using var browser = await SignedInAsync();
        var page = browser.Page;
        await Assertions.Expect(page.Locator("#open-flags")).ToContainTextAsync("1 open distillation flag");
        await page.ClickAsync("#open-flags");
        await page.WaitForURLAsync("**/console/flags");
        var card = page.Locator("#flag-flag_browser");
        await Assertions.Expect(card).ToContainTextAsync("Harvest Browser Co");
        await Assertions.Expect(card.Locator(".evidence")).ToContainTextAsync("4,200");
        await browser.ScreenshotAsync("flags");
        await card.Locator("select[name=action]").SelectOptionAsync("suspended");
        await card.Locator("input[name=note]").FillAsync("templated harvesting");
        await card.Locator("button[type=submit]").ClickAsync();
        await Assertions.Expect(page.Locator(".notice")).ToContainTextAsync("marked suspended");
        await Assertions.Expect(page.Locator("#restrictions")).ToContainTextAsync("suspended");
        await browser.ScreenshotAsync("flags-reviewed");

        Assert.Equal(HttpStatusCode.Forbidden, await CallAsync(key, "flag"));
        Assert.Equal(HttpStatusCode.OK, await CallAsync(key, "tg-mini"));
        await page.Locator("#restrictions button").ClickAsync();
        await Assertions.Expect(page.Locator(".notice")).ToContainTextAsync("lifted");
        Assert.Equal(HttpStatusCode.OK, await CallAsync(key, "flag"));
        var audit = await _admin.GetJsonAsync("/admin/v1/audit?target_type=flag");
        Assert.Contains(audit.Data(), e => e!["action"]!.GetValue<string>() == "flag.review");
    }

    [BrowserFact]
    public async Task Simulator_BreakEvenAndScenario_ShowTheDocumentedFigures_EconomicsRendersOnAPhone()
    {
        await using var browser = await SignedInAsync();
        var page = browser.Page;
        await page.GotoAsync("/console/simulator");
        // docs/economics.md and docs/console.md: $20 a month at $0.03 per million tokens and 10,000 tokens a query pays for 66,666 queries.
        await page.FillAsync("#break-even input[name=PlanPrice]", "20");
        await page.FillAsync("#break-even input[name=CostPerMtok]", "0.03");
        await page.FillAsync("#break-even input[name=TokensPerQuery]", "10000");
        await page.ClickAsync("#break-even button");
        await Assertions.Expect(page.Locator("#break-even-queries")).ToHaveTextAsync("66,666");
        await Assertions.Expect(page.Locator("#break-even-chart")).ToBeVisibleAsync();

        await page.FillAsync("#scenario input[name=Months]", "6");
        await page.ClickAsync("#scenario button");
        await Assertions.Expect(page.Locator("#scenario-months tbody tr")).ToHaveCountAsync(6);
        Assert.Equal(6, await page.Locator("#scenario-chart g[data-series=Revenue] [data-value]").CountAsync());
        await browser.ScreenshotAsync("simulator");

        // Bad input: the admin API's own message, beside the form.
        await page.FillAsync("#break-even input[name=CostPerMtok]", "cheap");
        await page.ClickAsync("#break-even button");
        await Assertions.Expect(page.Locator(".problem")).ToContainTextAsync("cost_per_mtok");

        // One subscriber with usage, so the month's profitability has a plan to chart.
        await _admin.SendAsync(HttpMethod.Put, "/admin/v1/plans/tiny", """
            {"name":"Tiny","monthly_price":"5","models":["tg-mini"],"windows":[{"name":"5h","kind":"session","duration_minutes":300,"size":20}],"overage":"block"}
            """);
        var customer = await _admin.PostJsonAsync("/admin/v1/customers", """{"name":"Subscriber Browser Co"}""");
        await _admin.PostJsonAsync($"/admin/v1/customers/{customer.Id()}/grants", """{"amount":"10"}""");
        await _admin.PostJsonAsync($"/admin/v1/customers/{customer.Id()}/subscription", """{"plan_id":"tiny"}""");
        var key = (await _admin.PostJsonAsync($"/admin/v1/customers/{customer.Id()}/keys", "{}"))["key"]!.GetValue<string>();
        for (var i = 0; i < 2; i++) Assert.Equal(HttpStatusCode.OK, await CallAsync(key, "tg-mini"));
        await page.GotoAsync("/console/economics");
        await Assertions.Expect(page.Locator("#margins-chart")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#plan-results")).ToContainTextAsync("tiny");
        Assert.Equal(1, await page.Locator("#plan-margins-tiny [data-value]").CountAsync());
        await Assertions.Expect(page.Locator("#unprofitable")).ToContainTextAsync("subscribers");
        await browser.ScreenshotAsync("economics");
        await page.SetViewportSizeAsync(390, 844);
        await page.ReloadAsync();
        Assert.True(await page.EvaluateAsync<bool>("document.documentElement.scrollWidth <= window.innerWidth"));
        // Axis text stays readable when the chart shrinks to the phone's width.
        var fontPx = await page.Locator("#margins-chart text.axis").First.EvaluateAsync<double>(
            "t => t.getBoundingClientRect().height");
        Assert.True(fontPx >= 9, $"axis text is {fontPx}px high on a phone");
        await browser.ScreenshotAsync("economics-phone");
    }

    private async Task<Browser> SignedInAsync()
    {
        var browser = await Browser.LaunchAsync(_base);
        await browser.Page.GotoAsync("/console/signin");
        await browser.Page.FillAsync("#token", TollgateFactory.AdminToken);
        await browser.Page.ClickAsync("button[type=submit]");
        await browser.Page.WaitForURLAsync(new Regex("/console$"));
        return browser;
    }

    private async Task<HttpStatusCode> CallAsync(string key, string model)
    {
        using var api = new HttpClient { BaseAddress = _base };
        api.DefaultRequestHeaders.Authorization = new("Bearer", key);
        using var response = await api.PostAsJsonAsync("/v1/chat/completions",
            new JsonObject { ["model"] = model, ["max_tokens"] = 5, ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "hello" }) });
        return response.StatusCode;
    }

    private static async Task<decimal> ValueAsync(IPage page, string selector) =>
        decimal.Parse(await page.Locator(selector).GetAttributeAsync("data-value") ?? "", System.Globalization.CultureInfo.InvariantCulture);
}
