using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Tollgate.Tests.Admin;
using Tollgate.Tests.Infrastructure;

namespace Tollgate.Tests.Web;

/// <summary>The subscriber chat page in headless Chromium: streamed answers through the gateway, then the plan's allowance runs out.</summary>
public sealed class ChatBrowserTests : IAsyncLifetime
{
    private readonly TollgateFactory _app = new();
    private Uri _base = null!;

    public Task InitializeAsync()
    {
        _base = _app.StartKestrel();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [BrowserFact]
    public async Task Chat_StreamsAnswersUntilTheAllowanceIsUsed_ThenShowsTheResetTime()
    {
        using var admin = new HttpClient { BaseAddress = _base };
        admin.DefaultRequestHeaders.Authorization = new("Bearer", TollgateFactory.AdminToken);
        await admin.SendAsync(HttpMethod.Put, "/admin/v1/plans/tiny", """
            {"name":"Tiny","monthly_price":"5","models":["tg-mini"],"windows":[{"name":"5h","kind":"session","duration_minutes":300,"size":2}],"overage":"block"}
            """);
        var customer = await admin.PostJsonAsync("/admin/v1/customers", """{"name":"Chatty Subscriber"}""");
        await admin.PostJsonAsync($"/admin/v1/customers/{customer.Id()}/grants", """{"amount":"10"}""");
        await admin.PostJsonAsync($"/admin/v1/customers/{customer.Id()}/subscription", """{"plan_id":"tiny"}""");
        var key = (await admin.PostJsonAsync($"/admin/v1/customers/{customer.Id()}/keys", "{}"))["key"]!.GetValue<string>();

        await using var browser = await Browser.LaunchAsync(_base, 390, 844);
        var page = browser.Page;
        await page.GotoAsync("/chat");
        await page.FillAsync("#apikey", key);
        await page.ClickAsync("#signin-form button");
        await Assertions.Expect(page.Locator("#who")).ToHaveTextAsync("Chatty Subscriber");
        await Assertions.Expect(page.Locator("#model")).ToHaveValueAsync("tg-mini");
        await Assertions.Expect(page.Locator("#plan-state")).ToHaveTextAsync("Included in Tiny");
        await Assertions.Expect(page.Locator("#windows")).ToContainTextAsync("5h: 2 of 2 left");

        // Two answers fit the two units; each streams in and the allowance counts down.
        for (var turn = 1; turn <= 2; turn++)
        {
            await page.FillAsync("#prompt", $"Question number {turn}?");
            await page.ClickAsync("#send");
            var answer = page.Locator(".msg.assistant").Nth(turn - 1);
            await Assertions.Expect(answer.Locator(".meta")).ToContainTextAsync("tokens");
            Assert.False(string.IsNullOrWhiteSpace(await answer.InnerTextAsync()));
            await Assertions.Expect(page.Locator("#windows")).ToContainTextAsync($"5h: {2 - turn} of 2 left");
        }
        await Assertions.Expect(page.Locator("#plan-state")).ToContainTextAsync("Allowance used: blocked until");
        await browser.ScreenshotAsync("chat");

        // The third is refused with the time the window resets.
        await page.FillAsync("#prompt", "One more?");
        await page.ClickAsync("#send");
        await Assertions.Expect(page.Locator(".msg.error")).ToContainTextAsync(new Regex("It resets at \\d{4}-\\d{2}-\\d{2}T"));
        await browser.ScreenshotAsync("chat-blocked");

        // The conversation is in the browser only, and survives a reload.
        await page.ReloadAsync();
        await Assertions.Expect(page.Locator(".msg.assistant")).ToHaveCountAsync(2);
        var usage = await _app.UsageAsync();
        Assert.Equal(2, usage.Count(e => e.CustomerId == customer.Id() && e.Streamed));
        // This server takes POST /v1/feedback, so the page offers a rating on each answer.
        Assert.Equal(2, await page.Locator(".rate").CountAsync());
    }
}
