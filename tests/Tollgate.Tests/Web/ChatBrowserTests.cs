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

    [BrowserFact]
    public async Task ChatHistory_OptedIn_FollowsTheKeyToANewBrowser_AndDeleteRemovesIt()
    {
        using var admin = new HttpClient { BaseAddress = _base };
        admin.DefaultRequestHeaders.Authorization = new("Bearer", TollgateFactory.AdminToken);
        var customer = await admin.PostJsonAsync("/admin/v1/customers", """{"name":"History Subscriber"}""");
        await admin.PostJsonAsync($"/admin/v1/customers/{customer.Id()}/grants", """{"amount":"10"}""");
        var key = (await admin.PostJsonAsync($"/admin/v1/customers/{customer.Id()}/keys", "{}"))["key"]!.GetValue<string>();

        await using (var first = await Browser.LaunchAsync(_base, 390, 844))
        {
            var page = await SignInAsync(first, key);
            // Off by default: the first answer stays in this browser only.
            await Assertions.Expect(page.Locator("#keep-history")).Not.ToBeCheckedAsync();
            await Assertions.Expect(page.Locator("#kept-where")).ToHaveTextAsync("The conversation is kept only in this browser.");
            await page.CheckAsync("#keep-history");
            await Assertions.Expect(page.Locator("#kept-where")).ToContainTextAsync("kept on the server for this key, erased 30 days");
            await page.FillAsync("#prompt", "Remember this question?");
            await page.ClickAsync("#send");
            await Assertions.Expect(page.Locator(".msg.assistant .meta")).ToContainTextAsync("tokens");
            await Assertions.Expect(page.Locator("#saved li")).ToHaveCountAsync(1);
            await Assertions.Expect(page.Locator("#saved li")).ToContainTextAsync("Remember this question?");
        }

        // A new browser (nothing in its storage) signed in with the same key finds the setting and the conversation.
        await using var second = await Browser.LaunchAsync(_base, 390, 844);
        var again = await SignInAsync(second, key);
        await Assertions.Expect(again.Locator("#keep-history")).ToBeCheckedAsync();
        await Assertions.Expect(again.Locator(".msg.user")).ToHaveTextAsync("Remember this question?");
        await Assertions.Expect(again.Locator(".msg.assistant")).ToHaveCountAsync(1);
        await second.ScreenshotAsync("chat-history");

        await again.ClickAsync("#saved li button.delete");
        await Assertions.Expect(again.Locator("#saved li")).ToHaveCountAsync(0);
        await Assertions.Expect(again.Locator(".msg")).ToHaveCountAsync(0);
        await again.ReloadAsync();
        await Assertions.Expect(again.Locator("#keep-history")).ToBeCheckedAsync();
        await Assertions.Expect(again.Locator(".msg")).ToHaveCountAsync(0);
        using var api = new HttpClient { BaseAddress = _base };
        api.DefaultRequestHeaders.Authorization = new("Bearer", key);
        var list = System.Text.Json.Nodes.JsonNode.Parse(await api.GetStringAsync("/v1/chat/history"))!;
        Assert.Empty(list["data"]!.AsArray());
    }

    [BrowserFact]
    public async Task Chat_PlanPreviewModel_OfferedAsPreview_WithItsOwnWindow_BlockedOnceUsed()
    {
        using var admin = new HttpClient { BaseAddress = _base };
        admin.DefaultRequestHeaders.Authorization = new("Bearer", TollgateFactory.AdminToken);
        await admin.SendAsync(HttpMethod.Put, "/admin/v1/models/peek", """
            {"kind":"chat","tier":"gated","max_output_tokens":50,"backends":[{"id":"peek-sim","kind":"simulator"}],"price":{"input":"1","output":"2"}}
            """);
        await admin.SendAsync(HttpMethod.Put, "/admin/v1/plans/peeker", """
            {"name":"Peeker","monthly_price":"5","models":["tg-mini","peek"],"overage":"metered","windows":[
              {"name":"5h","kind":"session","duration_minutes":300,"size":50},
              {"name":"peek-5h","kind":"session","duration_minutes":300,"size":1,"model":"peek"}]}
            """);
        var customer = await admin.PostJsonAsync("/admin/v1/customers", """{"name":"Preview Subscriber"}""");
        await admin.PostJsonAsync($"/admin/v1/customers/{customer.Id()}/grants", """{"amount":"10"}""");
        await admin.PostJsonAsync($"/admin/v1/customers/{customer.Id()}/subscription", """{"plan_id":"peeker"}""");
        var key = (await admin.PostJsonAsync($"/admin/v1/customers/{customer.Id()}/keys", "{}"))["key"]!.GetValue<string>();

        await using var browser = await Browser.LaunchAsync(_base, 390, 844);
        var page = await SignInAsync(browser, key);
        await Assertions.Expect(page.Locator("#model option[value=peek]")).ToHaveTextAsync("peek (preview)");
        await page.SelectOptionAsync("#model", "peek");
        await Assertions.Expect(page.Locator("#plan-state")).ToHaveTextAsync("Preview in Peeker");
        await Assertions.Expect(page.Locator("#windows")).ToHaveTextAsync(new Regex("^peek-5h: 1 of 1 left"));
        await page.FillAsync("#prompt", "A peek?");
        await page.ClickAsync("#send");
        await Assertions.Expect(page.Locator(".msg.assistant .meta")).ToContainTextAsync("tokens");
        // The preview's own window is used: blocked, although the plan meters its other models.
        await Assertions.Expect(page.Locator("#plan-state")).ToContainTextAsync("Preview used: blocked until");
        await browser.ScreenshotAsync("chat-preview");
        await page.SelectOptionAsync("#model", "tg-mini");
        await Assertions.Expect(page.Locator("#plan-state")).ToHaveTextAsync("Included in Peeker");
    }

    private static async Task<IPage> SignInAsync(Browser browser, string key)
    {
        var page = browser.Page;
        await page.GotoAsync("/chat");
        await page.FillAsync("#apikey", key);
        await page.ClickAsync("#signin-form button");
        await Assertions.Expect(page.Locator("#who")).ToHaveTextAsync(new Regex("Subscriber"));
        return page;
    }
}
