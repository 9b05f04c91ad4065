using System.Net;
using System.Text.Json;
using Tollgate.Tests.Admin;
using Tollgate.Tests.Infrastructure;

namespace Tollgate.Tests.Security;

/// <summary>One app for the whole matrix: each case also proves the cases before it left it serving.</summary>
public sealed class HostileInputApp : IAsyncLifetime
{
    internal TollgateFactory App { get; } = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await App.DisposeAsync();
}

/// <summary>Every hostile request gets a 4xx in the one error shape: never a 500, never a crash, never a charge.</summary>
public sealed class HostileInputTests(HostileInputApp shared) : IClassFixture<HostileInputApp>
{
    private TollgateFactory App => shared.App;

    public static TheoryData<string> CaseNames => [.. HostileInput.Cases.Select(c => c.Name)];

    [Fact]
    public void Matrix_HasAtLeastFiftyDistinctCases()
    {
        Assert.True(HostileInput.Cases.Count >= 50, $"{HostileInput.Cases.Count} cases");
        Assert.Equal(HostileInput.Cases.Count, HostileInput.Cases.Select(c => c.Name).Distinct().Count());
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public async Task HostileRequest_Answered4xxInTheErrorShape(string name)
    {
        var hostile = HostileInput.Cases.Single(c => c.Name == name);
        using var admin = App.AdminClient();
        var customer = (await admin.CreateCustomerAsync()).Id();
        using var request = hostile.Build();
        request.RequestUri = new Uri(request.RequestUri!.OriginalString.Replace("{customer}", customer, StringComparison.Ordinal), UriKind.Relative);
        using var client = request.Headers.Authorization is not null || request.Headers.Contains("Authorization") ? App.CreateClient()
            : hostile.Admin ? App.AdminClient() : App.ApiClient();

        var metered = (await App.UsageAsync()).Count;

        using var response = await client.SendAsync(request);

        var text = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == hostile.Status, $"{name}: expected {hostile.Status}, got {(int)response.StatusCode}: {Clip(text)}");
        AssertErrorShape(response, text);
        Assert.False(response.Headers.Contains("Set-Cookie") || response.Headers.Contains("X-Injected"), "a request header reached the response");
        Assert.StartsWith("req_", response.Headers.GetValues("x-request-id").Single(), StringComparison.Ordinal);
        Assert.Equal(metered, (await App.UsageAsync()).Count);
        Assert.DoesNotContain(App.Logs.Lines, line => line.StartsWith("Error ", StringComparison.Ordinal) || line.StartsWith("Critical ", StringComparison.Ordinal));
        // Still serving.
        using var api = App.ApiClient();
        using var after = await api.PostAsync("/v1/chat/completions", TollgateCalls.JsonBody("""{"model":"tg-mini","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}"""));
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }

    private static void AssertErrorShape(HttpResponseMessage response, string text)
    {
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var document = JsonDocument.Parse(text);
        Assert.Equal(["error"], document.RootElement.EnumerateObject().Select(p => p.Name));
        var error = document.RootElement.GetProperty("error");
        Assert.Equal(["code", "message", "param", "type"], error.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.False(string.IsNullOrWhiteSpace(error.GetProperty("message").GetString()));
        Assert.True(text.Length < 8 * 1024, $"an error of {text.Length} characters echoes the input back");
    }

    private static string Clip(string text) => text.Length > 300 ? text[..300] + "…" : text;
}
