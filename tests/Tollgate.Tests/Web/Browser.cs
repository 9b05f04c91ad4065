using Microsoft.Playwright;

namespace Tollgate.Tests.Web;

/// <summary>
/// Headless Chromium (the system's, through Playwright's bundled driver: nothing is downloaded) on
/// a phone-sized or desktop page. Screenshots go to <c>screenshots/</c> beside the test assembly.
/// </summary>
internal sealed class Browser : IAsyncDisposable
{
    public static readonly string ScreenshotDirectory = System.IO.Path.Combine(AppContext.BaseDirectory, "screenshots");

    private readonly IPlaywright _playwright;
    private readonly IBrowser _browser;

    private Browser(IPlaywright playwright, IBrowser browser, IBrowserContext context, IPage page)
    {
        _playwright = playwright;
        _browser = browser;
        Context = context;
        Page = page;
    }

    public IBrowserContext Context { get; }

    public IPage Page { get; }

    public static async Task<Browser> LaunchAsync(Uri baseAddress, int width = 1280, int height = 900)
    {
        var path = Chromium.Path ?? throw new InvalidOperationException(
            "Chromium is required for the browser tests (CI=true): install it (apt-get install chromium) or set TOLLGATE_CHROMIUM.");
        var playwright = await Playwright.CreateAsync();
        // Root in a container has no user namespaces for Chromium's sandbox.
        var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = path, Headless = true, Args = ["--no-sandbox"] });
        var context = await browser.NewContextAsync(new() { BaseURL = baseAddress.ToString(), ViewportSize = new() { Width = width, Height = height } });
        context.SetDefaultTimeout(15_000);
        return new Browser(playwright, browser, context, await context.NewPageAsync());
    }

    public async Task ScreenshotAsync(string name)
    {
        Directory.CreateDirectory(ScreenshotDirectory);
        await Page.ScreenshotAsync(new() { Path = System.IO.Path.Combine(ScreenshotDirectory, name + ".png"), FullPage = true });
    }

    public async ValueTask DisposeAsync()
    {
        await Context.DisposeAsync();
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }
}
