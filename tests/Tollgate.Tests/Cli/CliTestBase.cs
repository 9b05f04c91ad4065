using Tollgate.Tests.Infrastructure;

namespace Tollgate.Tests.Cli;

/// <summary>A fresh Tollgate test server for each test, and the command line pointed at it with the admin token.</summary>
public abstract class CliTestBase : IAsyncLifetime
{
    private protected TollgateFactory App { get; } = new();

    private protected CliHarness Cli { get; private set; } = null!;

    public virtual Task InitializeAsync()
    {
        Cli = CliHarness.For(App);
        return Task.CompletedTask;
    }

    public virtual async Task DisposeAsync() => await App.DisposeAsync();

    /// <summary>The demo key's customer ("Demo Customer"; the demo also has a contracted enterprise customer).</summary>
    private protected async Task<string> DemoCustomerIdAsync() =>
        (await Cli.JsonAsync("customers", "list")).GetProperty("data").EnumerateArray()
            .Single(c => c.GetProperty("name").GetString() == "Demo Customer").GetProperty("id").GetString()!;
}
