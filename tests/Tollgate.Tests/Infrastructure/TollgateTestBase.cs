namespace Tollgate.Tests.Infrastructure;

/// <summary>
/// A test class with its own Tollgate: xunit makes one instance per test, so every test gets a
/// fresh app on its own data directory, and tests run in parallel without sharing state.
/// </summary>
public abstract class TollgateTestBase(TimeProvider? time = null) : IAsyncLifetime
{
    internal TollgateFactory App { get; } = new(time);

    public virtual Task InitializeAsync() => Task.CompletedTask;

    public virtual async Task DisposeAsync() => await App.DisposeAsync();
}
