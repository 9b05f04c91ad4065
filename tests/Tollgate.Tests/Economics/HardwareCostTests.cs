using System.Net;
using Tollgate.Tests.Admin;
using Tollgate.Tests.Infrastructure;
using Tollgate.Tests.Invoicing;
using static Tollgate.Tests.Economics.EconomicsScene;

namespace Tollgate.Tests.Economics;

/// <summary>An own-hardware cost card through the admin API: requests carry their share, the quiet hours show as idle cost.</summary>
public sealed class HardwareCostTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Ten = new(2026, 10, 5, 10, 0, 0, TimeSpan.Zero);
    private InvoiceScene _scene = null!;

    public async Task InitializeAsync() => _scene = await InvoiceScene.StartAsync(Ten);

    public async Task DisposeAsync() => await _scene.DisposeAsync();

    /// <summary>8 GPUs at $2.50 an hour over 25M tokens an hour at 80%: $20 an hour, $1 per million tokens.</summary>
    private Task<System.Text.Json.Nodes.JsonObject> AddHardwareAsync() => _scene.Admin.PostJsonAsync("/admin/v1/backends/m-up/costs", """
        {"kind":"hardware","hourly_cost":"2.5","gpu_count":8,"rated_tokens_per_hour":25000000,"target_utilisation":"0.8"}
        """, HttpStatusCode.OK);

    [Fact]
    public async Task AddCost_Hardware_RequestsCarryTheirShareAndQuietHoursAreIdle()
    {
        var model = await AddHardwareAsync();
        var cost = model["backends"]!.AsArray()[0]!["cost"]!;
        Assert.Equal(("hardware", "1", "20"), (cost["kind"]!.GetValue<string>(), cost["input"]!.GetValue<string>(), cost["hardware"]!["cost_per_hour"]!.GetValue<string>()));
        var (_, key) = await _scene.CustomerAsync();

        await _scene.ChatAsync(key, input: 1_500, output: 500);
        _scene.Time.SetUtcNow(Ten.AddHours(2.5));

        var usage = Assert.Single(await _scene.App.UsageAsync());
        Assert.Equal(0.002m, usage.CostToServe);
        var idle = await _scene.Admin.GetJsonAsync("/admin/v1/economics/idle?from=2026-10-05&to=2026-10-06");
        var backend = Assert.Single(idle.Data())!;
        // Up to now: two whole hours and half of the third, $50 of hardware; its one request carried $0.002 of it.
        Assert.Equal(3, backend["hours"]!.GetValue<int>());
        Assert.Equal((50m, 0.002m, 49.998m), (Amount(backend, "hardware_cost"), Amount(backend, "attributed"), Amount(backend, "idle")));
        Assert.Equal([19.998m, 20m, 10m], backend["hourly_detail"]!.AsArray().Select(h => Amount(h, "idle")));
        var margins = await _scene.Admin.GetJsonAsync("/admin/v1/economics/margins?from=2026-10-05&to=2026-10-06");
        Assert.Equal(49.998m, Amount(margins, "idle_cost"));
        Assert.Equal(Amount(margins["total"], "gross_margin") - 49.998m, Amount(margins, "margin_after_idle"));
    }

    [Theory]
    [InlineData("""{"kind":"hardware","gpu_count":8,"rated_tokens_per_hour":1000}""", "cost.hourly_cost")]
    [InlineData("""{"kind":"hardware","hourly_cost":"2","gpu_count":0,"rated_tokens_per_hour":1000}""", "cost.gpu_count")]
    [InlineData("""{"kind":"hardware","hourly_cost":"2","rated_tokens_per_hour":1000,"target_utilisation":"1.2"}""", "cost.target_utilisation")]
    [InlineData("""{"kind":"hardware","hourly_cost":"2","rated_tokens_per_hour":1000,"input":"1"}""", "cost")]
    [InlineData("""{"hourly_cost":"2","rated_tokens_per_hour":1000}""", "cost.kind")]
    [InlineData("""{"kind":"gpu","hourly_cost":"2"}""", "cost.kind")]
    public async Task AddCost_BadHardware_400NamingTheField(string body, string param)
    {
        using var response = await _scene.Admin.RawAsync(HttpMethod.Post, "/admin/v1/backends/m-up/costs", body);

        await TollgateCalls.AssertErrorAsync(response, HttpStatusCode.BadRequest, null, param);
    }
}
