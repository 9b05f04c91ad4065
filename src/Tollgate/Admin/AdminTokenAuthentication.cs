using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Tollgate.Gateway;
using Tollgate.Hosting;
using Tollgate.Security;
using Tollgate.Storage;

namespace Tollgate.Admin;

/// <summary>
/// Bearer admin tokens: the operator's <c>TOLLGATE_ADMIN_TOKEN</c> (never stored) or a stored
/// token's keyed hash. Failures answer in the one error shape.
/// </summary>
internal sealed class AdminTokenAuthentication(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IAdminTokenStore tokens,
    SecretHasher hasher,
    AuthFailureThrottle throttle,
    ServeSettings settings) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
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
        var secret = header[7..].Trim();
        if (settings.AdminToken is { Length: > 0 } configured && hasher.Matches(secret, hasher.Hash(configured)))
            return Success("env", [AdminScopes.Full]);
        var token = SecretFormat.AdminToken.TryGetId(secret, out var id) ? await tokens.FindAsync(id, Context.RequestAborted) : null;
        if (token is null || token.RevokedAt is not null || !hasher.Matches(secret, token.SecretHash))
        {
            throttle.RecordFailure(client);
            return AuthenticateResult.Fail("invalid admin token");
        }
        return Success(token.Id, token.Scopes);
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties) =>
        _throttledFor is { } wait
            ? ApiErrorWriter.WriteAsync(Context, ApiError.TooManyAuthFailures(wait), wait)
            : ApiErrorWriter.WriteAsync(Context, new ApiError(StatusCodes.Status401Unauthorized, "invalid_request_error", "invalid_admin_token",
                "An admin token is required: send it as 'Authorization: Bearer <token>'."));

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        ApiErrorWriter.WriteAsync(Context, new ApiError(StatusCodes.Status403Forbidden, "invalid_request_error", "insufficient_scope",
            "This admin token's scopes do not allow this action."));

    private static AuthenticateResult Success(string tokenId, IEnumerable<string> scopes)
    {
        var claims = new List<Claim> { new(AdminScopes.TokenIdClaim, tokenId) };
        claims.AddRange(scopes.Select(s => new Claim(AdminScopes.ClaimType, s)));
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }
}
