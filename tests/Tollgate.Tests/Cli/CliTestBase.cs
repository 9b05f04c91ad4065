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
}
