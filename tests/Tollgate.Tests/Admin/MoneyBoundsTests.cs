using System.Net;
using Tollgate.Admin;
using Tollgate.Tests.Infrastructure;
using static Tollgate.Tests.Infrastructure.TollgateCalls;

namespace Tollgate.Tests.Admin;

/// <summary>Money entered through the admin API: one grammar, and an upper bound per kind of amount, refused with a 400 naming the field.</summary>
public sealed class MoneyBoundsTests : IAsyncLifetime
{
    private readonly TollgateFactory _app = new(demo: false);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Theory]
    [InlineData("1,5")]
    [InlineData("1,0,0")]
    [InlineData("1 000")]
    [InlineData("1e2")]
    [InlineData("+5")]
    [InlineData("")]
    [InlineData("79228162514264337593543950335")]
    [InlineData("1000000000.000001")]
    public async Task PostGrant_NotMoneyOrBeyondTheBound_Returns400NamingAmountAndCreditsNothing(string amount)
    {
        using var admin = _app.AdminClient();
        var customer = (await admin.CreateCustomerAsync()).Id();

        using var response = await admin.PostAsync($"/admin/v1/customers/{customer}/grants", JsonBody($$"""{"amount":"{{amount}}"}"""));
        var wallet = await admin.GetJsonAsync($"/admin/v1/customers/{customer}/wallet");

        await AssertErrorAsync(response, HttpStatusCode.BadRequest, null, "amount");
        Assert.Equal("0", wallet["available"]!.GetValue<string>());
        Assert.Empty(wallet["grants"]!.AsArray());
    }

    [Fact]
    public async Task PostGrant_AtTheDefaultBound_IsCredited()
    {
        using var admin = _app.AdminClient();
        var customer = (await admin.CreateCustomerAsync()).Id();

        await admin.PostJsonAsync($"/admin/v1/customers/{customer}/grants", """{"amount":"1000000000"}""");
        var wallet = await admin.GetJsonAsync($"/admin/v1/customers/{customer}/wallet");

        Assert.Equal("1000000000", wallet["available"]!.GetValue<string>());
    }

    [Fact]
    public async Task PostGrant_AboveAConfiguredBound_Returns400NamingAmount()
    {
        await using var app = new TollgateFactory(demo: false) { Configuration = { ["Money:MaxGrant"] = "50" } };
        using var admin = app.AdminClient();
        var customer = (await admin.CreateCustomerAsync()).Id();

        using var over = await admin.PostAsync($"/admin/v1/customers/{customer}/grants", JsonBody("""{"amount":"50.01"}"""));
        using var at = await admin.PostAsync($"/admin/v1/customers/{customer}/grants", JsonBody("""{"amount":"50"}"""));

        await AssertErrorAsync(over, HttpStatusCode.BadRequest, null, "amount");
        Assert.Equal(HttpStatusCode.Created, at.StatusCode);
    }

    [Theory]
    [InlineData("79228162514264337593543950335")]
    [InlineData("1000000001")]
    [InlineData("1,5")]
    public async Task PutModel_PriceNotMoneyOrBeyondTheBound_Returns400NamingThePrice(string input)
    {
        using var admin = _app.AdminClient();

        using var response = await admin.PutAsync("/admin/v1/models/huge", JsonBody($$"""
            {"price":{"input":"{{input}}","output":"1"},"backends":[{"kind":"simulator"}]}
            """));

        await AssertErrorAsync(response, HttpStatusCode.BadRequest, null, "price.input");
    }

    [Fact]
    public async Task PostPrice_DecimalComma_Returns400NamingOutput()
    {
        using var admin = _app.AdminClient();
        await admin.SendAsync(HttpMethod.Put, "/admin/v1/models/m", """{"price":{"input":"1","output":"1"},"backends":[{"kind":"simulator"}]}""");

        using var response = await admin.PostAsync("/admin/v1/models/m/prices", JsonBody("""{"input":"1","output":"1,5"}"""));

        await AssertErrorAsync(response, HttpStatusCode.BadRequest, null, "price.output");
    }

    [Theory]
    [InlineData("1,5")]
    [InlineData("-1")]
    [InlineData("0.0000001")]
    [InlineData("1000000001")]
    [InlineData("1e2")]
    public async Task PostPrice_CacheWriteNotMoneyOrBeyondTheBound_Returns400NamingCacheWriteAndAddsNoVersion(string cacheWrite)
    {
        using var admin = _app.AdminClient();
        await admin.SendAsync(HttpMethod.Put, "/admin/v1/models/m", """{"price":{"input":"1","output":"1"},"backends":[{"kind":"simulator"}]}""");

        using var response = await admin.PostAsync("/admin/v1/models/m/prices", JsonBody($$"""{"input":"1","output":"1","cache_write":"{{cacheWrite}}"}"""));
        var model = await admin.GetJsonAsync("/admin/v1/models/m");

        await AssertErrorAsync(response, HttpStatusCode.BadRequest, null, "price.cache_write");
        Assert.Single(model["price_history"]!.AsArray());
    }

    [Fact]
    public async Task PostPrice_CacheWriteAsANumberNotAString_Returns400()
    {
        using var admin = _app.AdminClient();
        await admin.SendAsync(HttpMethod.Put, "/admin/v1/models/m", """{"price":{"input":"1","output":"1"},"backends":[{"kind":"simulator"}]}""");

        using var response = await admin.PostAsync("/admin/v1/models/m/prices", JsonBody("""{"input":"1","output":"1","cache_write":3.75}"""));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task PutModel_CacheWritePriceSetOrNot_ShownAsSetOrNullMeaningTheInputPrice()
    {
        using var admin = _app.AdminClient();

        await admin.SendAsync(HttpMethod.Put, "/admin/v1/models/with", """{"price":{"input":"3","output":"15","cache_write":"3.75"},"backends":[{"kind":"simulator"}]}""");
        await admin.SendAsync(HttpMethod.Put, "/admin/v1/models/without", """{"price":{"input":"3","output":"15"},"backends":[{"kind":"simulator"}]}""");
        var with = await admin.GetJsonAsync("/admin/v1/models/with");
        var without = await admin.GetJsonAsync("/admin/v1/models/without");

        Assert.Equal("3.75", with["price"]!["cache_write"]!.GetValue<string>());
        Assert.Null(without["price"]!["cache_write"]);
    }

    [Theory]
    [InlineData("credit_limit", "1000000000.5")]
    [InlineData("monthly_budget", "79228162514264337593543950335")]
    [InlineData("monthly_budget", "1,5")]
    public async Task PatchCustomer_LimitOrBudgetBeyondTheBound_Returns400NamingIt(string field, string amount)
    {
        using var admin = _app.AdminClient();
        var customer = (await admin.CreateCustomerAsync()).Id();

        using var response = await admin.PatchAsync($"/admin/v1/customers/{customer}", JsonBody($$"""{"{{field}}":"{{amount}}"}"""));

        await AssertErrorAsync(response, HttpStatusCode.BadRequest, null, field);
    }

    [Fact]
    public async Task PostKey_BudgetBeyondTheBound_Returns400NamingBudget()
    {
        using var admin = _app.AdminClient();
        var customer = (await admin.CreateCustomerAsync()).Id();

        using var response = await admin.PostAsync($"/admin/v1/customers/{customer}/keys", JsonBody("""{"budget":"2000000000"}"""));

        await AssertErrorAsync(response, HttpStatusCode.BadRequest, null, "budget");
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("1000000000000000.01")]
    public void Validate_BoundNotPositiveOrAboveTheCeiling_Fails(string bound) =>
        Assert.True(new MoneyBoundsValidator().Validate(null, new MoneyBounds { MaxBudget = decimal.Parse(bound, System.Globalization.CultureInfo.InvariantCulture) }).Failed);
}
