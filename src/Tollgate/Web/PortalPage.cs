using System.Reflection;
using Microsoft.AspNetCore.Mvc.Filters;
using Tollgate.Admin;
using Tollgate.Storage;

namespace Tollgate.Web;

/// <summary>
/// Every signed-in portal page: the customer and role come from the session, never from the URL, so a user can
/// only ever address their own customer. Pages or handlers marked <see cref="OwnersOnlyAttribute"/> refuse developers.
/// Results of a change are carried to the next page as a one-time message, as in the console.
/// </summary>
internal abstract class PortalPage : FlashPage
{
    public string CustomerId => User.FindFirst(PortalSession.CustomerClaim)?.Value ?? "";

    /// <summary>The signed-in user's id, as the audit log names it.</summary>
    public string UserId => User.Actor();

    public bool IsOwner => User.FindFirst(PortalSession.RoleClaim)?.Value == StoredNames.Of(CustomerUserRole.Owner);

    public override async Task OnPageHandlerExecutionAsync(PageHandlerExecutingContext context, PageHandlerExecutionDelegate next)
    {
        var ownersOnly = GetType().GetCustomAttribute<OwnersOnlyAttribute>() is not null
                         || context.HandlerMethod?.MethodInfo.GetCustomAttribute<OwnersOnlyAttribute>() is not null;
        if (ownersOnly && !IsOwner)
        {
            context.Result = RedirectToPage("/Portal/Denied");
            return;
        }
        await next();
    }
}

/// <summary>Only the customer's owners may open this page or run this handler (billing, every key, members).</summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method)]
internal sealed class OwnersOnlyAttribute : Attribute;
