using System.Net;
using Tollgate.Billing.Invoices;
using Tollgate.Tests.Admin;

namespace Tollgate.Tests.Contracts;

/// <summary>A contract may start only in a month a future invoice run can still bill: never silently unbilled.</summary>
public sealed class BackdatedContractTests
{
    [Fact]
    public async Task CreateContract_StartBeforeTheCustomerExisted_400NamingStartsAt()
    {
        // The customer is created on Dec 7; November's run never includes them, so a November start would go unbilled.
        await using var scene = await GateScene.StartAsync(new DateTimeOffset(2026, 12, 7, 10, 0, 0, TimeSpan.Zero));
        var (customer, _) = await scene.CustomerAsync();

        using var response = await scene.Admin.RawAsync(HttpMethod.Post, "/admin/v1/contracts",
            $$"""{"customer_id":"{{customer}}","starts_at":"2026-11-01T00:00:00Z","ends_at":"2027-06-01T00:00:00Z","monthly_commitment":"1000"}""");
        var error = (await response.ReadJsonAsync())!["error"]!;

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("starts_at", error["param"]!.GetValue<string>());
        Assert.Contains("2026-12", error["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task CreateContract_StartOnTheFirstOfTheCreationMonth_AcceptedAndItsCommitmentInvoiced()
    {
        await using var scene = await GateScene.StartAsync(new DateTimeOffset(2026, 12, 7, 10, 0, 0, TimeSpan.Zero));
        var (customer, _) = await scene.CustomerAsync();

        await scene.Admin.PostJsonAsync("/admin/v1/contracts",
            $$"""{"customer_id":"{{customer}}","starts_at":"2026-12-01T00:00:00Z","ends_at":"2027-06-01T00:00:00Z","monthly_commitment":"1000"}""",
            HttpStatusCode.Created);
        scene.Time.SetUtcNow(new DateTimeOffset(2027, 1, 1, 0, 0, 5, TimeSpan.Zero));
        var invoice = await scene.Admin.RunInvoiceAsync(customer, "2026-12");

        Assert.Equal("1000", invoice["total"]!.GetValue<string>());
    }

    [Fact]
    public async Task CreateContract_StartInAFinalizedMonth_400NamingStartsAt()
    {
        await using var scene = await GateScene.StartAsync(new DateTimeOffset(2026, 10, 5, 12, 0, 0, TimeSpan.Zero));
        var (customer, _) = await scene.CustomerAsync();
        scene.Time.SetUtcNow(new DateTimeOffset(2026, 11, 2, 0, 0, 0, TimeSpan.Zero));
        await scene.Admin.RunInvoiceAsync(customer, "2026-10");

        using var october = await scene.Admin.RawAsync(HttpMethod.Post, "/admin/v1/contracts",
            $$"""{"customer_id":"{{customer}}","starts_at":"2026-10-31T23:59:59Z","ends_at":"2027-06-01T00:00:00Z","monthly_commitment":"1000"}""");
        using var november = await scene.Admin.RawAsync(HttpMethod.Post, "/admin/v1/contracts",
            $$"""{"customer_id":"{{customer}}","starts_at":"2026-11-01T00:00:00Z","ends_at":"2027-06-01T00:00:00Z","monthly_commitment":"1000"}""");

        Assert.Equal(HttpStatusCode.BadRequest, october.StatusCode);
        Assert.Equal("starts_at", (await october.ReadJsonAsync())!["error"]!["param"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.Created, november.StatusCode);
    }

    [Theory]
    [InlineData("2026-12-07T00:00:00Z", null, "2026-12")]
    [InlineData("2026-12-07T00:00:00Z", "2027-01", "2027-02")]
    [InlineData("2027-03-31T23:59:59Z", "2026-11", "2027-03")]
    public void Earliest_CreationAndLastFinalized_TheLaterOpenMonth(string created, string? lastFinalized, string expected)
    {
        var earliest = OpenPeriods.Earliest(DateTimeOffset.Parse(created, System.Globalization.CultureInfo.InvariantCulture),
            lastFinalized is null ? null : BillingPeriod.Parse(lastFinalized));

        Assert.Equal(expected, earliest.ToString());
    }
}
