using Tollgate.Cli;

namespace Tollgate.Tests.Cli;

public sealed class WebhookCommandsTests : CliTestBase
{
    [Fact]
    public async Task WebhooksCreate_ShowsTheSecretOnce_ThenListRotateDeliveriesDelete()
    {
        var created = await Cli.RunAsync("webhooks", "create", "--url", "https://hooks.example.com/tollgate", "--event", "budget.threshold",
            "--description", "finance");
        var id = (await Cli.JsonAsync("webhooks", "list")).GetProperty("data")[0].GetProperty("id").GetString()!;
        var secret = System.Text.RegularExpressions.Regex.Match(created.Output, @"whsec_\S+").Value;

        var listed = await Cli.RunAsync("webhooks", "list");
        var rotated = await Cli.JsonAsync("webhooks", "rotate-secret", id, "--expire-previous-in-seconds", "60");
        using (var admin = App.AdminClient())
            (await admin.PostAsync($"/admin/v1/webhook-endpoints/{id}/test", null)).EnsureSuccessStatusCode();
        var deliveries = await Cli.RunAsync("webhooks", "deliveries", "--endpoint", id);
        var deleted = await Cli.RunAsync("webhooks", "delete", id);
        var afterDelete = await Cli.JsonAsync("webhooks", "list");

        Assert.Equal(ExitCodes.Ok, created.ExitCode);
        Assert.Contains("Shown once", created.Output);
        Assert.NotEqual("", secret);
        Assert.Contains("https://hooks.example.com/tollgate", listed.Output);
        Assert.Contains("budget.threshold", listed.Output);
        Assert.NotEqual(secret, rotated.GetProperty("secret").GetString());
        Assert.Contains("webhook.test", deliveries.Output);
        Assert.Contains($"Deleted webhook endpoint {id}", deleted.Output);
        Assert.Equal(0, afterDelete.GetProperty("data").GetArrayLength());
    }

    [Fact]
    public async Task WebhooksCreate_BadUrl_PrintsTheServersMessageAndParam()
    {
        var result = await Cli.RunAsync("webhooks", "create", "--url", "ftp://nope", "--event", "*");

        Assert.Equal(ExitCodes.Refused, result.ExitCode);
        Assert.Contains("param: url", result.Error);
    }
}
