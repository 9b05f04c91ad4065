using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using Microsoft.Playwright;
using Tollgate.Tests.Infrastructure;

namespace Tollgate.Tests.Web;

/// <summary>
/// The operator console in headless Chromium on a real port, on a fake clock two hours before a
/// month ends: sign in, create a customer and a key, see API usage on its chart, run and finalize
/// the month's invoice. Screenshots of each main page are saved.
/// </summary>
public sealed class ConsoleBrowserTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 31, 22, 0, 0, TimeSpan.Zero));
    private readonly TollgateFactory _app;
    private Uri _base = null!;

    public ConsoleBrowserTests() => _app = new TollgateFactory(_time);

    public Task InitializeAsync()
    {
        _base = _app.StartKestrel();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [BrowserFact]
    public async Task Console_CustomerKeyUsageAndInvoice_WorkEndToEnd()
    {
        await using var browser = await Browser.LaunchAsync(_base);
        var page = browser.Page;

        // Every console page sends a visitor without a session to sign in.
        await page.GotoAsync("/console/customers");
        Assert.Equal("/console/signin", new Uri(page.Url).AbsolutePath);
        await browser.ScreenshotAsync("signin");
        await page.FillAsync("#token", "wrong-token");
        await page.ClickAsync("button[type=submit]");
        await Assertions.Expect(page.Locator(".problem")).ToContainTextAsync("not a valid admin token");
        await page.FillAsync("#token", TollgateFactory.AdminToken);
        await page.ClickAsync("button[type=submit]");
        await page.WaitForURLAsync("**/console/customers");

        // A postpaid customer, then a key: its secret is on the page once.
        await page.FillAsync("#create-customer input[name=name]", "Acme Browser Ltd");
        await page.SelectOptionAsync("#create-customer select[name=billingMode]", "postpaid");
        await page.ClickAsync("#create-customer button");
        await Assertions.Expect(page.Locator("h1")).ToContainTextAsync("Acme Browser Ltd");
        var customerUrl = page.Url;
        await page.FillAsync("#create-key input[name=name]", "browser key");
        await page.ClickAsync("#create-key button");
        var secret = (await page.Locator("#secret").InnerTextAsync()).Trim();
        Assert.StartsWith("tg_", secret);
        await browser.ScreenshotAsync("customer-key-created");

        // Three API calls with that key appear on the customer's usage chart.
        using (var api = new HttpClient { BaseAddress = _base })
        {
            api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret);
            for (var i = 0; i < 3; i++)
            {
                using var response = await api.PostAsJsonAsync("/v1/chat/completions",
                    new JsonObject { ["model"] = "tg-mini", ["max_tokens"] = 16, ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "hello" }) });
                Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
            }
        }
        await page.GotoAsync(customerUrl);
        Assert.Equal(3m, await ChartTotalAsync(page, "#customer-requests-chart"));
        Assert.True(await ChartTotalAsync(page, "#customer-revenue-chart g[data-series=Charged]") > 0);
        await browser.ScreenshotAsync("customer");
        await page.GotoAsync("/console");
        Assert.Equal(3m, await ChartTotalAsync(page, "#requests-chart"));
        await Assertions.Expect(page.Locator("text=Acme Browser Ltd")).ToBeVisibleAsync();
        await browser.ScreenshotAsync("overview");

        // The month ends; a draft run bills it, and the invoice is finalized from its page.
        _time.Advance(TimeSpan.FromHours(3));
        await page.GotoAsync("/console/invoices");
        await Assertions.Expect(page.Locator("#invoice-run input[name=runPeriod]")).ToHaveValueAsync("2026-01");
        await page.ClickAsync("#invoice-run button");
        await Assertions.Expect(page.Locator(".notice")).ToContainTextAsync("Invoice run");
        var row = page.Locator("#invoices tr", new() { HasText = "Acme Browser Ltd" });
        for (var attempt = 0; attempt < 50 && await row.CountAsync() == 0; attempt++)
        {
            await Task.Delay(100);
            await page.ReloadAsync();
        }
        await row.Locator("a").ClickAsync();
        await Assertions.Expect(page.Locator("#invoice-status")).ToHaveTextAsync("draft");
        await page.ClickAsync("#finalize button");
        // Cents of usage round to a $0 total, which is settled (paid) at finalization.
        await Assertions.Expect(page.Locator("#invoice-status")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^(finalized|paid)$"));
        await Assertions.Expect(page.Locator(".notice")).ToContainTextAsync("finalized as");
        await browser.ScreenshotAsync("invoice");
        await page.GotoAsync("/console/invoices");
        await browser.ScreenshotAsync("invoices");

        foreach (var (path, name) in new[] { ("/console/models", "models"), ("/console/plans", "plans"), ("/console/audit", "audit") })
        {
            await page.GotoAsync(path);
            await browser.ScreenshotAsync(name);
        }
        await Assertions.Expect(page.Locator("#audit")).ToContainTextAsync("invoice.finalize");

        // Readable on a phone: nothing wider than the screen but the tables' own scrollers.
        await page.SetViewportSizeAsync(390, 844);
        await page.GotoAsync("/console");
        Assert.True(await page.EvaluateAsync<bool>("document.documentElement.scrollWidth <= window.innerWidth"));
        await browser.ScreenshotAsync("overview-phone");
    }

    private static async Task<decimal> ChartTotalAsync(IPage page, string selector)
    {
        var values = await page.Locator(selector + " [data-value]").EvaluateAllAsync<string[]>("nodes => nodes.map(n => n.dataset.value)");
        return values.Sum(v => decimal.Parse(v, System.Globalization.CultureInfo.InvariantCulture));
    }
}
