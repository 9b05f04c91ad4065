using System.Reflection;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Tollgate.Admin;

namespace Tollgate.Web;

/// <summary>
/// Every console page: reading needs the <c>read</c> scope, each form handler the scope its
/// <see cref="ConsoleScopeAttribute"/> names, checked with the admin API's own policies. Results of
/// a change are carried to the next page as a one-time message.
/// </summary>
internal abstract class ConsolePage : FlashPage
{
    /// <summary>The signed-in token's id, as the audit log names it.</summary>
    public string Actor => User.Actor();

    public bool Can(string scope) => User.HasClaim(AdminScopes.ClaimType, scope) || User.HasClaim(AdminScopes.ClaimType, AdminScopes.Full);

    public override async Task OnPageHandlerExecutionAsync(PageHandlerExecutingContext context, PageHandlerExecutionDelegate next)
    {
        var declared = context.HandlerMethod?.MethodInfo.GetCustomAttribute<ConsoleScopeAttribute>()?.Scope;
        var scope = declared ?? (HttpMethods.IsGet(context.HttpContext.Request.Method) ? AdminScopes.Read : null);
        var authorization = context.HttpContext.RequestServices.GetRequiredService<IAuthorizationService>();
        if (scope is null || !(await authorization.AuthorizeAsync(User, AdminScopes.Policy(scope))).Succeeded)
        {
            context.Result = new RedirectToPageResult("/Console/Denied", new { scope = scope ?? "none" });
            return;
        }
        await next();
    }
}
