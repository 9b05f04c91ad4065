using Microsoft.AspNetCore.Authorization;

namespace Tollgate.Admin;

/// <summary>One policy per scope; a token with <c>full</c> satisfies all of them.</summary>
internal static class AdminAuthorization
{
    public static void AddAdminPolicies(this AuthorizationOptions options)
    {
        options.AddPolicy(AdminScopes.AuthenticatedPolicy, policy => policy
            .AddAuthenticationSchemes(AdminTokenAuthentication.SchemeName)
            .RequireAuthenticatedUser());
        foreach (var scope in AdminScopes.All)
        {
            options.AddPolicy(AdminScopes.Policy(scope), policy => policy
                .AddAuthenticationSchemes(AdminTokenAuthentication.SchemeName)
                .RequireAuthenticatedUser()
                .RequireAssertion(context => context.User.HasClaim(AdminScopes.ClaimType, scope)
                    || context.User.HasClaim(AdminScopes.ClaimType, AdminScopes.Full)));
        }
    }
}
