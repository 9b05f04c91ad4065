using System.Net;
using Tollgate.Tests.Admin;

namespace Tollgate.Tests.Contracts;

/// <summary>A plan may include a gated model as a preview: callable within its window, never beyond it.</summary>
public sealed class GatePreviewTests
{
    [Fact]
    public async Task Call_PreviewAllowanceUsedUp_AllowanceExhaustedOnTheGatedModelWhileOthersAnswer()
    {
        await using var scene = await GateScene.StartAsync();
        // Metered overage on purpose: the preview stays capped whatever the plan does past its other windows.
        await scene.Admin.SendAsync(HttpMethod.Put, "/admin/v1/plans/preview", """
            {"name":"Preview","monthly_price":"20","models":["open","flag"],"overage":"metered",
             "windows":[{"name":"flag-5h","kind":"session","duration_minutes":300,"size":2,"model":"flag"},
                        {"name":"month","kind":"calendar","size":1000}]}
            """);
        var (customer, key) = await scene.CustomerAsync("prepaid");
        await scene.Admin.PostJsonAsync($"/admin/v1/customers/{customer}/grants", """{"amount":"50"}""");
        await scene.Admin.PostJsonAsync($"/admin/v1/customers/{customer}/subscription", """{"plan_id":"preview"}""");

        Assert.Equal("preview", (await scene.GatedStandingAsync(key))["via"]!.GetValue<string>());
        Assert.Null(await scene.CallAsync(key));
        Assert.Null(await scene.CallAsync(key));
        var exhausted = await scene.CallAsync(key);

        Assert.Equal(429, exhausted?.Status);
        Assert.Contains("allowance_exhausted", exhausted?.Body, StringComparison.Ordinal);
        Assert.Null(await scene.CallAsync(key, "open"));
        // Five hours after the window opened it resets.
        scene.Time.Advance(TimeSpan.FromHours(5));
        Assert.Null(await scene.CallAsync(key));
    }

    [Fact]
    public async Task PutPlan_GatedModelWithoutAWindowCountingIt_Refused()
    {
        await using var scene = await GateScene.StartAsync();

        using var response = await scene.Admin.RawAsync(HttpMethod.Put, "/admin/v1/plans/open-ended", """
            {"name":"Open","monthly_price":"20","models":["open","flag"],"windows":[{"name":"w","kind":"calendar","size":10,"model":"open"}]}
            """);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("windows", (await response.ReadJsonAsync())!["error"]!["param"]!.GetValue<string>());
    }
}
