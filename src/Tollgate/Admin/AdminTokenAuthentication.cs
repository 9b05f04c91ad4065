using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Tollgate.Gateway;
using Tollgate.Security;

namespace Tollgate.Admin;

/// <summary>
/// Bearer admin tokens, checked by <see cref="AdminTokenVerifier"/>. Failures answer in the one error shape.
/// </summary>
internal sealed class AdminTokenAuthentication(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    AdminTokenVerifier verifier,
    AuthFailureThrottle throttle) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "AdminToken";

    private TimeSpan? _throttledFor;

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        // Only admin routes carry admin tokens; a data-plane request's API key is none of this handler's business.
        if (!Request.Path.StartsWithSegments(AdminEndpoints.Prefix)) return AuthenticateResult.NoResult();
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return AuthenticateResult.NoResult();
        var client = Context.Connection.RemoteIpAddress;
        if (throttle.IsBlocked(client, out var retryAfter))
        {
            _throttledFor = retryAfter;
            return AuthenticateResult.Fail("too many authentication failures");
        }
        if (await verifier.VerifyAsync(header[7..].Trim(), Context.RequestAborted) is not { } identity)
        {
            throttle.RecordFailure(client);
            return AuthenticateResult.Fail("invalid admin token");
        }
        return AuthenticateResult.Success(new AuthenticationTicket(Principal(identity, SchemeName), SchemeName));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties) =>
        _throttledFor is { } wait
            ? ApiErrorWriter.WriteAsync(Context, ApiError.TooManyAuthFailures(wait), wait)
            : ApiErrorWriter.WriteAsync(Context, new ApiError(StatusCodes.Status401Unauthorized, "invalid_request_error", "invalid_admin_token",
                "An admin token is required: send it as 'Authorization: Bearer <token>'."));

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        ApiErrorResult.InsufficientScope("This admin token's scopes do not allow this action.").ExecuteAsync(Context);

    /// <summary>The claims both the bearer scheme and the console's session carry, so one set of policies reads either.</summary>
    public static ClaimsPrincipal Principal(AdminIdentity identity, string scheme)
    {
        var claims = new List<Claim> { new(AdminScopes.TokenIdClaim, identity.TokenId) };
        claims.AddRange(identity.Scopes.Select(s => new Claim(AdminScopes.ClaimType, s)));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, scheme));
    }
}
