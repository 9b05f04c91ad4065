using Microsoft.Playwright;
using Tollgate.Tests.Infrastructure;

namespace Tollgate.Tests.Web;

/// <summary>The operator console in headless Chromium, on a real port.</summary>
public sealed class ConsoleBrowserTests : IAsyncLifetime
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
    public async Task SignIn_WithAdminToken_ShowsOverview()
    {
        await using var browser = await Browser.LaunchAsync(_base);
        var page = browser.Page;
        await page.GotoAsync("/console");
        Assert.EndsWith("/console/signin", new Uri(page.Url).AbsolutePath);
        await page.FillAsync("#token", TollgateFactory.AdminToken);
        await page.ClickAsync("button[type=submit]");
        await page.WaitForURLAsync("**/console");
        await Assertions.Expect(page.Locator("h1")).ToContainTextAsync("Overview");
        await browser.ScreenshotAsync("overview");
    }
}
