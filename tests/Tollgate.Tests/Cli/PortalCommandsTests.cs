using Tollgate.Cli;

namespace Tollgate.Tests.Cli;

public sealed class PortalCommandsTests : CliTestBase
{
    [Fact]
    public async Task PortalInvite_ShowsTheFullLinkOnce_ThenListedAsPendingAndNoUserYet()
    {
        var customer = await DemoCustomerIdAsync();

        var invited = await Cli.RunAsync("portal", "invite", customer, "--email", "ada@example.com", "--role", "developer");
        var invitations = await Cli.RunAsync("portal", "invitations", customer);
        var users = await Cli.RunAsync("portal", "users", customer);
        var badRole = await Cli.RunAsync("portal", "invite", customer, "--email", "ada@example.com", "--role", "admin");

        Assert.Equal(ExitCodes.Ok, invited.ExitCode);
        Assert.Contains("/portal/invite/tgi_", invited.Output);
        Assert.Contains("invitation link is shown only now", invited.Output);
        Assert.Contains("pending", invitations.Output);
        Assert.DoesNotContain("tgi_", invitations.Output);
        Assert.Equal(ExitCodes.Ok, users.ExitCode);
        Assert.DoesNotContain("ada@example.com", users.Output);
        Assert.NotEqual(ExitCodes.Ok, badRole.ExitCode);
    }
}
