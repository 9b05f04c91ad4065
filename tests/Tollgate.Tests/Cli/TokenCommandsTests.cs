using Tollgate.Cli;

namespace Tollgate.Tests.Cli;

public sealed class TokenCommandsTests : CliTestBase
{

    [Fact]
    public async Task TokensCreate_ForPeople_ShowsTheSecretOnceAndListsTheToken()
    {
        var result = await Cli.RunAsync("tokens", "create", "--name", "reporting", "--scope", "read", "--scope", "billing");
        var list = await Cli.RunAsync("tokens", "list");

        Assert.Equal(ExitCodes.Ok, result.ExitCode);
        Assert.Contains("Shown once", result.Output);
        Assert.Contains("admin token is shown only now", result.Output);
        Assert.Contains("read, billing", list.Output);
        Assert.Contains("reporting", list.Output);
    }

    [Fact]
    public async Task TokensCreate_ReadScope_CanListButNotCreate()
    {
        var token = (await Cli.JsonAsync("tokens", "create", "--name", "viewer", "--scope", "read")).GetProperty("token").GetString()!;

        var listed = await Cli.RunAsync("customers", "list", "--token", token);
        var refused = await Cli.RunAsync("customers", "create", "--name", "Nope", "--token", token);

        Assert.Equal(ExitCodes.Ok, listed.ExitCode);
        Assert.Equal(ExitCodes.Unauthorized, refused.ExitCode);
        Assert.Contains("scopes do not allow this action", refused.Error);
        Assert.Contains("tokens create --scope", refused.Error);
    }

    [Fact]
    public async Task TokensRevoke_ThenUsingIt_ExitsThreeAndSaysSetTheToken()
    {
        var created = await Cli.JsonAsync("tokens", "create", "--name", "short-lived", "--scope", "full");
        var id = created.GetProperty("admin_token").GetProperty("id").GetString()!;

        var revoked = await Cli.RunAsync("tokens", "revoke", id);
        var refused = await Cli.RunAsync("customers", "list", "--token", created.GetProperty("token").GetString()!);

        Assert.Equal(ExitCodes.Ok, revoked.ExitCode);
        Assert.Contains("revoked", revoked.Output);
        Assert.Equal(ExitCodes.Unauthorized, refused.ExitCode);
        Assert.Contains("set TOLLGATE_ADMIN_TOKEN or pass --token", refused.Error, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task TokensCreate_UnknownScope_IsAUsageError()
    {
        var result = await Cli.RunAsync("tokens", "create", "--name", "x", "--scope", "everything");

        Assert.Equal(ExitCodes.Failed, result.ExitCode);
        Assert.Contains("everything", result.Error);
    }
}
