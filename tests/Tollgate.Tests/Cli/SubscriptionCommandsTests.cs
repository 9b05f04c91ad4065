using Tollgate.Cli;

namespace Tollgate.Tests.Cli;

public sealed class SubscriptionCommandsTests : CliTestBase
{
    [Fact]
    public async Task PlansPut_ThenSubscriptionsStartAndCancel_ShowsWindowsAndPeriodEnd()
    {
        // $5 a month: the first fee (prorated, up to the whole $5 on the 1st) fits the demo's $10 on any date.
        var file = Path.Combine(Path.GetTempPath(), $"plan-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, """
            {"name":"Chat Plus","monthly_price":"5","models":["tg-mini","tg-pro"],
             "windows":[{"name":"5h","kind":"session","duration_minutes":300,"size":45},{"name":"week-pro","kind":"rolling","duration_minutes":10080,"size":100,"model":"tg-pro"}],
             "model_weights":{"tg-pro":3},"overage":"downgrade","downgrade_model":"tg-mini"}
            """);
        try
        {
            var put = await Cli.RunAsync("plans", "put", "plus", "--file", file);
            var customer = await DemoCustomerIdAsync();
            var started = await Cli.RunAsync("subscriptions", "start", customer, "--plan", "plus");
            var cancelled = await Cli.JsonAsync("subscriptions", "cancel", customer);
            var list = await Cli.RunAsync("plans", "list");

            Assert.Equal(ExitCodes.Ok, put.ExitCode);
            Assert.Contains("Saved plan plus.", put.Output);
            Assert.Equal(ExitCodes.Ok, started.ExitCode);
            Assert.Contains("week-pro", started.Output);
            Assert.Contains("at next use", started.Output);
            Assert.True(cancelled.GetProperty("cancel_at_period_end").GetBoolean());
            Assert.Contains("Chat Plus", list.Output);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task PlansPut_InvalidPlan_RefusedWithTheField()
    {
        var file = Path.Combine(Path.GetTempPath(), $"plan-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, """{"name":"Bad","monthly_price":"20","models":["tg-mini"],"windows":[]}""");
        try
        {
            var result = await Cli.RunAsync("plans", "put", "bad", "--file", file);

            Assert.Equal(ExitCodes.Refused, result.ExitCode);
            Assert.Contains("windows", result.Error);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
