using System.Net;
using Microsoft.Extensions.Time.Testing;
using Tollgate.Tests.Infrastructure;

namespace Tollgate.Tests.Security;

/// <summary>Guessing keys or admin tokens is slowed down: after a few failures one client gets 429 until its window ends.</summary>
public sealed class AuthFailureThrottleTests : IAsyncLifetime
{
    private const int Allowed = 5;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly TollgateFactory _app;

    public AuthFailureThrottleTests()
    {
        _app = new TollgateFactory(_time);
        _app.Configuration["Security:AuthFailuresPerWindow"] = Allowed.ToString(System.Globalization.CultureInfo.InvariantCulture);
        _app.Configuration["Security:AuthFailureWindow"] = "00:01:00";
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _app.DisposeAsync();

    public static TheoryData<string> Planes => ["api", "admin"];

    [Theory]
    [MemberData(nameof(Planes))]
    public async Task RepeatedWrongCredentials_Then429WithRetryAfterEvenForTheRightOne_UntilTheWindowEnds(string plane)
    {
        var (path, right) = plane == "api" ? ("/v1/models", _app.DemoApiKey) : ("/admin/v1/customers", TollgateFactory.AdminToken);
        var wrong = plane == "api" ? _app.DemoApiKey[..^4] + "zzzz" : "tga_0000000000_" + new string('0', 40);

        for (var i = 0; i < Allowed; i++)
        {
            using var refused = await GetAsync(path, wrong);
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }
        _time.Advance(TimeSpan.FromSeconds(20));
        using var slowed = await GetAsync(path, wrong);
        using var slowedRight = await GetAsync(path, right);

        var error = await TollgateCalls.AssertErrorAsync(slowed, HttpStatusCode.TooManyRequests, "too_many_authentication_failures", type: "rate_limit_exceeded");
        Assert.DoesNotContain("zzzz", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(TimeSpan.FromSeconds(40), slowed.Headers.RetryAfter?.Delta);
        await TollgateCalls.AssertErrorAsync(slowedRight, HttpStatusCode.TooManyRequests, "too_many_authentication_failures", type: "rate_limit_exceeded");

        _time.Advance(TimeSpan.FromSeconds(41));
        using var after = await GetAsync(path, right);
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }

    [Fact]
    public async Task MissingCredentials_AreNotCountedAsGuesses()
    {
        for (var i = 0; i < Allowed * 3; i++)
        {
            using var refused = await GetAsync("/v1/models", null);
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        using var right = await GetAsync("/v1/models", _app.DemoApiKey);
        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
    }

    private async Task<HttpResponseMessage> GetAsync(string path, string? token)
    {
        using var client = _app.CreateClient();
        if (token is not null) client.DefaultRequestHeaders.Authorization = new("Bearer", token);
        return await client.GetAsync(path);
    }
}
