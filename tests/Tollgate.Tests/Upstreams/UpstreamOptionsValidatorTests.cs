using Microsoft.Extensions.Options;
using Tollgate.Upstreams;

namespace Tollgate.Tests.Upstreams;

/// <summary>The credential allowlist: what the operator may declare, and what is refused even when declared.</summary>
public sealed class UpstreamOptionsValidatorTests
{
    private static UpstreamOptions Declaring(string variable, params string[] hosts) =>
        new() { Credentials = { [variable] = new UpstreamCredentialOptions { Hosts = hosts } } };

    [Fact]
    public void Validate_VariableBoundToHosts_Succeeds() =>
        Assert.True(new UpstreamOptionsValidator().Validate(null, Declaring("UPSTREAM_KEY", "api.example.com", "10.0.0.7", "::1")).Succeeded);

    [Theory]
    [InlineData("TOLLGATE_ADMIN_TOKEN", "api.example.com")]
    [InlineData("Tollgate_Key_Pepper", "api.example.com")]
    [InlineData("UPSTREAM_KEY")]
    [InlineData("UPSTREAM_KEY", "https://api.example.com")]
    [InlineData("UPSTREAM_KEY", "api.example.com/v1")]
    [InlineData("1KEY", "api.example.com")]
    [InlineData("KEY-NAME", "api.example.com")]
    public void Validate_ReservedOrMalformedDeclaration_Fails(string variable, params string[] hosts) =>
        Assert.True(new UpstreamOptionsValidator().Validate(null, Declaring(variable, hosts)).Failed);

    /// <summary>Even a declaration that skipped validation never lets Tollgate's own secrets out.</summary>
    [Fact]
    public void Refusal_TollgateVariableEvenIfDeclared_NamesApiKeyEnv()
    {
        var credentials = new UpstreamCredentials(Options.Create(Declaring("TOLLGATE_ADMIN_TOKEN", "127.0.0.1")));

        Assert.Equal("api_key_env", credentials.Refusal("TOLLGATE_ADMIN_TOKEN", "http://127.0.0.1:9/v1")?.Field);
        Assert.Null(credentials.For("TOLLGATE_ADMIN_TOKEN", "http://127.0.0.1:9/v1"));
    }

    [Theory]
    [InlineData("https://api.example.com/v1", null)]
    [InlineData("https://API.Example.com:8443/v1", null)]
    [InlineData("https://api.example.com.evil.test/v1", "base_url")]
    [InlineData("https://evil.test/api.example.com/v1", "base_url")]
    [InlineData("https://api.example.com@evil.test/v1", "base_url")]
    [InlineData("not a url", "base_url")]
    public void Refusal_DeclaredVariable_OnlyToItsHosts(string baseUrl, string? field)
    {
        var credentials = new UpstreamCredentials(Options.Create(Declaring("UPSTREAM_KEY", "api.example.com")));

        Assert.Equal(field, credentials.Refusal("UPSTREAM_KEY", baseUrl)?.Field);
    }
}
