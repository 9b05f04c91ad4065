using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Tollgate.Tests.Infrastructure;

namespace Tollgate.Tests.Web;

/// <summary>The Razor pages of the live route table under one prefix, with their form handlers: read, never listed by hand.</summary>
internal static partial class PageRoutes
{
    public static IReadOnlyList<(string Route, Type Model)> Under(TollgateFactory app, string prefix) =>
        [.. app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Select(e => (Route: "/" + e.RoutePattern.RawText!.TrimStart('/'), Descriptor: e.Metadata.GetMetadata<CompiledPageActionDescriptor>()))
            .Where(p => p.Descriptor is not null && p.Route.StartsWith(prefix, StringComparison.Ordinal))
            .Select(p => (p.Route, p.Descriptor!.ModelTypeInfo!.AsType()))];

    /// <summary>The route with every parameter replaced by <c>x</c>.</summary>
    public static string Fill(string route) => RouteParameter().Replace(route, "x");

    public static IEnumerable<MethodInfo> PostHandlers(Type model) =>
        model.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly).Where(m => m.Name.StartsWith("OnPost", StringComparison.Ordinal));

    /// <summary>The handler's name as <c>?handler=</c> takes it (empty for the page's own POST).</summary>
    public static string HandlerName(MethodInfo handler)
    {
        var name = handler.Name["OnPost".Length..];
        return name.EndsWith("Async", StringComparison.Ordinal) ? name[..^"Async".Length] : name;
    }

    [GeneratedRegex(@"\{[^}]+\}")]
    private static partial Regex RouteParameter();
}
