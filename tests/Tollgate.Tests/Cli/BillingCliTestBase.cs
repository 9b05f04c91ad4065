using Tollgate.Tests.Invoicing;

namespace Tollgate.Tests.Cli;

/// <summary>A Tollgate on a fake clock set in October 2026, one postpaid customer with $0.01 of usage, and the command line pointed at it.</summary>
public abstract class BillingCliTestBase : IAsyncLifetime
{
    private protected static readonly DateTimeOffset October = new(2026, 10, 10, 12, 0, 0, TimeSpan.Zero);
    private protected static readonly DateTimeOffset November = new(2026, 11, 1, 0, 0, 5, TimeSpan.Zero);

    private protected InvoiceScene Scene { get; private set; } = null!;

    private protected CliHarness Cli { get; private set; } = null!;

    private protected string Customer { get; private set; } = null!;

    private protected string Key { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Scene = await InvoiceScene.StartAsync(October);
        Cli = CliHarness.For(Scene.App);
        (Customer, Key) = await Scene.CustomerAsync("postpaid", creditLimit: "100");
        // 1,000 input × $2/M = $0.002 and 1,000 output × $8/M = $0.008: $0.01 for October.
        await Scene.ChatAsync(Key, input: 1000, output: 1000);
    }

    public async Task DisposeAsync() => await Scene.DisposeAsync();

    /// <summary>Finalizes October for everyone and returns the customer's invoice id.</summary>
    private protected async Task<string> FinalizedOctoberAsync()
    {
        Scene.Time.SetUtcNow(November);
        await Cli.JsonAsync("invoices", "run", "--period", "2026-10", "--finalize");
        return (await Cli.JsonAsync("invoices", "list", "--customer", Customer)).GetProperty("data")[0].GetProperty("id").GetString()!;
    }
}
