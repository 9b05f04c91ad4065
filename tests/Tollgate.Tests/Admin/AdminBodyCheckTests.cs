using System.Net;
using Tollgate.Tests.Infrastructure;

namespace Tollgate.Tests.Admin;

/// <summary>Admin bodies are refused as strictly as <c>/v1</c> bodies: no field twice, no wrong type, no out-of-range setting.</summary>
public sealed class AdminBodyCheckTests : TollgateTestBase
{
    [Fact]
    public async Task CreateCustomer_DuplicateKey_Returns400NamingIt()
    {
        using var admin = App.AdminClient();

        using var response = await admin.RawAsync(HttpMethod.Post, "/admin/v1/customers", """{"name":"first","name":"second"}""");

        await TollgateCalls.AssertErrorAsync(response, HttpStatusCode.BadRequest, "duplicate_parameter", "name");
    }

    [Fact]
    public async Task CreateKey_NestedDuplicateKey_Returns400NamingIt()
    {
        using var admin = App.AdminClient();
        var customer = (await admin.CreateCustomerAsync()).Id();

        using var response = await admin.RawAsync(HttpMethod.Post, $"/admin/v1/customers/{customer}/keys",
            """{"rate_limits":{"requests_per_minute":5,"requests_per_minute":500}}""");

        await TollgateCalls.AssertErrorAsync(response, HttpStatusCode.BadRequest, "duplicate_parameter", "rate_limits.requests_per_minute");
    }

    [Fact]
    public async Task CreateKey_NumberAsString_Returns400NamingIt()
    {
        using var admin = App.AdminClient();
        var customer = (await admin.CreateCustomerAsync()).Id();

        using var response = await admin.RawAsync(HttpMethod.Post, $"/admin/v1/customers/{customer}/keys", """{"rate_limits":{"requests_per_minute":"10"}}""");

        await TollgateCalls.AssertErrorAsync(response, HttpStatusCode.BadRequest, "invalid_type", "rate_limits.requests_per_minute");
        Assert.Empty((await admin.GetJsonAsync($"/admin/v1/keys?customer_id={customer}")).Data());
    }

    [Fact]
    public async Task CreateKey_ScopedToUnknownModel_Returns400NamingModels()
    {
        using var admin = App.AdminClient();
        var customer = (await admin.CreateCustomerAsync()).Id();

        using var response = await admin.RawAsync(HttpMethod.Post, $"/admin/v1/customers/{customer}/keys", """{"models":["tg-mini","no-such-model"]}""");

        await TollgateCalls.AssertErrorAsync(response, HttpStatusCode.BadRequest, null, "models");
    }

    [Fact]
    public async Task UpdateKey_ScopedToUnknownModel_Returns400NamingModels()
    {
        var key = await App.CreateKeyAsync();
        using var admin = App.AdminClient();

        using var response = await admin.RawAsync(HttpMethod.Patch, $"/admin/v1/keys/{key.Id}", """{"models":["no-such-model"]}""");

        await TollgateCalls.AssertErrorAsync(response, HttpStatusCode.BadRequest, null, "models");
    }

    [Theory]
    [InlineData("simulator_time_to_first_token_ms", "1e300")]
    [InlineData("simulator_time_to_first_token_ms", "600001")]
    [InlineData("simulator_tokens_per_second", "1e-300")]
    [InlineData("first_byte_timeout_seconds", "1e300")]
    [InlineData("total_timeout_seconds", "86401")]
    public async Task PutModel_SettingOutOfRange_Returns400NamingIt(string setting, string value)
    {
        using var admin = App.AdminClient();

        using var response = await admin.RawAsync(HttpMethod.Put, "/admin/v1/models/slow",
            "{\"backends\":[{\"kind\":\"simulator\",\"" + setting + "\":" + value + "}],\"price\":{\"input\":\"1\",\"output\":\"1\"}}");

        await TollgateCalls.AssertErrorAsync(response, HttpStatusCode.BadRequest, null, $"backends[0].{setting}");
    }

    [Fact]
    public async Task PutModel_MaxOutputTokensAsString_Returns400NamingIt()
    {
        using var admin = App.AdminClient();

        using var response = await admin.RawAsync(HttpMethod.Put, "/admin/v1/models/m",
            """{"max_output_tokens":"100","backends":[{"kind":"simulator"}],"price":{"input":"1","output":"1"}}""");

        await TollgateCalls.AssertErrorAsync(response, HttpStatusCode.BadRequest, "invalid_type", "max_output_tokens");
    }
}
