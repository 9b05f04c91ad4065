using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Tollgate.Admin;
using Tollgate.Tests.Admin;
using Tollgate.Tests.Infrastructure;

namespace Tollgate.Tests.Security;

/// <summary>
/// No open doors: every route is read from the live route table, so a route added later is
/// checked without anyone remembering to list it here.
/// </summary>
public sealed partial class RouteTableTests : TollgateTestBase
{
    /// <summary>Routes served without an admin token, each for a stated reason; anything else outside /admin/v1 fails the test until reviewed.</summary>
    private static readonly Dictionary<string, string> PublicRoutes = new(StringComparer.Ordinal)
    {
        ["/v1/chat/completions"] = "API key, checked by the gateway",
        ["/v1/embeddings"] = "API key, checked by the gateway",
        ["/v1/responses"] = "API key, checked by the gateway",
        ["/v1/responses/{id}"] = "GET and DELETE with the API key that stored the response, no other (ResponseStorageTests); 404 for everyone while response storage is off",
        ["/v1/responses/{**id}"] = "404 for every other stored-response path (cancel, input items): not served",
        ["/v1/messages"] = "API key (x-api-key or bearer), checked by the gateway; 401 in Anthropic's shape (MessagesTests)",
        ["/v1/messages/count_tokens"] = "API key (x-api-key or bearer), checked by the count endpoint; 401 in Anthropic's shape (MessagesTests)",
        ["/v1/account"] = "API key, checked by the gateway",
        ["/v1/account/usage"] = "API key, checked by the gateway",
        ["/v1/account/invoices"] = "API key, checked by the gateway",
        ["/v1/models"] = "API key, checked by the gateway",
        ["/v1/feedback"] = "API key, checked by the feedback endpoint",
        ["/v1/chat/history"] = "API key, checked by the chat history endpoint; only the key's own conversations",
        ["/v1/chat/history/settings"] = "API key, checked by the chat history endpoint",
        ["/v1/chat/history/{id}"] = "API key, checked by the chat history endpoint; only the key's own conversations",
        ["/v1/models/{id}"] = "API key, checked by the gateway",
        ["/v1/{**rest}"] = "404 for every other /v1 path",
        ["/metrics"] = "Prometheus counters: model ids and status codes, no customer data",
        ["/openapi/{documentName}.json"] = "describes routes, never data",
        ["/admin/reference"] = "browsable page of the API description",
        ["/admin/reference/{documentName?}"] = "browsable page of the API description",
        ["/admin/reference/scalar.js"] = "the reference page's script",
        ["/admin/reference/scalar.aspnetcore.js"] = "the reference page's script",
        ["/admin/reference/favicon.svg"] = "the reference page's icon",
        ["/healthz"] = "liveness, no checks run",
        ["/readyz"] = "readiness, database reachable or not",
        ["/chat"] = "the chat page's shell, no data: its script calls /v1 with the subscriber's API key",
        ["/assets/{name}"] = "the console's and chat page's stylesheet and script",
    };

    private static readonly string[] DataPlaneRoutes =
        ["/v1/chat/completions", "/v1/embeddings", "/v1/responses", "/v1/account", "/v1/account/usage", "/v1/account/invoices", "/v1/models", "/v1/models/{id}", "/v1/feedback",
            "/v1/chat/history", "/v1/chat/history/settings", "/v1/chat/history/{id}"];

    // Every wrong token below counts as a failed authentication: let this one client make them all.
    public RouteTableTests() => App.Configuration["Security:AuthFailuresPerWindow"] = "100000";

    private IReadOnlyList<(string Method, string Pattern, RouteEndpoint Endpoint)> Routes()
    {
        var routes = App.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["GET"]).Select(m => (m, "/" + e.RoutePattern.RawText!.TrimStart('/'), e)))
            .ToList();
        Assert.True(routes.Count > 30, $"only {routes.Count} routes found");
        return routes;
    }

    [Fact]
    public void EveryRoute_IsAdminOrListedAsPublic()
    {
        // Console pages need a console session and portal pages a portal session: ConsoleRouteTests and PortalRouteTests prove it
        // for each one in this same table.
        var unreviewed = Routes().Select(r => r.Pattern)
            .Where(p => !p.StartsWith("/admin/v1/", StringComparison.Ordinal) && !p.StartsWith("/console", StringComparison.Ordinal)
                        && !p.StartsWith("/portal", StringComparison.Ordinal) && !PublicRoutes.ContainsKey(p))
            .Distinct().ToList();

        Assert.True(unreviewed.Count == 0, "Routes neither under /admin/v1 nor reviewed as public: " + string.Join(", ", unreviewed));
    }

    [Fact]
    public void EveryAdminRoute_RequiresAnAdminTokenAndNamesOneScope()
    {
        foreach (var (method, pattern, endpoint) in Routes().Where(r => r.Pattern.StartsWith("/admin/v1/", StringComparison.Ordinal)))
        {
            var policies = endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>().Select(a => a.Policy).ToList();
            Assert.True(policies.Contains(AdminScopes.AuthenticatedPolicy), $"{method} {pattern} does not require an admin token.");
            Assert.True(policies.Count(p => p?.StartsWith("admin:", StringComparison.Ordinal) == true) == 1, $"{method} {pattern} must name exactly one scope: {string.Join(", ", policies)}");
            Assert.Null(endpoint.Metadata.GetMetadata<IAllowAnonymous>());
        }
    }

    [Fact]
    public async Task EveryAdminRoute_MissingWrongOrUnderScopedToken_Refused()
    {
        using var full = App.AdminClient();
        var otherScopes = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var scope in AdminScopes.All)
        {
            var weaker = scope == AdminScopes.Full ? AdminScopes.All.Where(s => s != AdminScopes.Full).ToArray() : AdminScopes.All.Where(s => s != scope && s != AdminScopes.Full).ToArray();
            otherScopes[scope] = await full.CreateTokenAsync(weaker);
        }
        var revoked = await full.PostJsonAsync("/admin/v1/tokens", """{"name":"gone","scopes":["full"]}""");
        await full.SendAsync(HttpMethod.Post, $"/admin/v1/tokens/{revoked["admin_token"]!["id"]!.GetValue<string>()}/revoke");
        string[] wrongTokens = ["wrong", revoked["token"]!.GetValue<string>(), App.DemoApiKey, "tga_0000000000_" + new string('0', 40)];

        var checkedRoutes = 0;
        foreach (var (method, pattern, endpoint) in Routes().Where(r => r.Pattern.StartsWith("/admin/v1/", StringComparison.Ordinal)))
        {
            var path = Parameter().Replace(pattern, "x_1");
            var scope = endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>().Select(a => a.Policy).Single(p => p?.StartsWith("admin:", StringComparison.Ordinal) == true)!["admin:".Length..];

            await AssertRefusedAsync(null, method, path, HttpStatusCode.Unauthorized, "invalid_admin_token");
            foreach (var wrong in wrongTokens) await AssertRefusedAsync(wrong, method, path, HttpStatusCode.Unauthorized, "invalid_admin_token");
            await AssertRefusedAsync(otherScopes[scope], method, path, HttpStatusCode.Forbidden, "insufficient_scope");
            checkedRoutes++;
        }
        Assert.True(checkedRoutes >= 30, $"only {checkedRoutes} admin routes checked");
    }

    [Fact]
    public async Task EveryDataPlaneRoute_WithoutKey_Returns401()
    {
        foreach (var (method, pattern, _) in Routes().Where(r => DataPlaneRoutes.Contains(r.Pattern)))
        {
            using var client = App.CreateClient();
            using var request = new HttpRequestMessage(new HttpMethod(method), Parameter().Replace(pattern, "tg-mini"));
            if (method == "POST") request.Content = TollgateCalls.JsonBody("""{"model":"tg-mini","messages":[{"role":"user","content":"hi"}],"input":"hi"}""");
            using var response = await client.SendAsync(request);
            await TollgateCalls.AssertErrorAsync(response, HttpStatusCode.Unauthorized, "invalid_api_key");
        }
        Assert.Empty(await App.UsageAsync());
    }

    private async Task AssertRefusedAsync(string? token, string method, string path, HttpStatusCode status, string code)
    {
        using var client = App.CreateClient();
        if (token is not null) client.DefaultRequestHeaders.Authorization = new("Bearer", token);
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method is "POST" or "PUT" or "PATCH") request.Content = TollgateCalls.JsonBody("{}");
        using var response = await client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"{method} {path} with {(token is null ? "no token" : "token " + token[..Math.Min(8, token.Length)])}: {(int)response.StatusCode} {body}");
        await TollgateCalls.AssertErrorAsync(response, status, code);
    }

    [GeneratedRegex(@"\{[^}]+\}")]
    private static partial Regex Parameter();
}
