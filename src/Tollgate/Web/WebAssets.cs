using System.Collections.Frozen;

namespace Tollgate.Web;

/// <summary>
/// The pages' stylesheet and scripts, embedded in the executable so the console needs no files
/// beside it and nothing from the internet.
/// </summary>
internal static class WebAssets
{
    private static readonly FrozenDictionary<string, (byte[] Bytes, string ContentType)> Files = Load();

    public static void MapWebAssets(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapGet(WebRoutes.Assets + "/{name}", (string name, HttpContext http) =>
        {
            if (!Files.TryGetValue(name, out var file)) return Results.NotFound();
            http.Response.Headers.CacheControl = "public, max-age=300";
            return Results.Bytes(file.Bytes, file.ContentType);
        }).ExcludeFromDescription();

    private static FrozenDictionary<string, (byte[], string)> Load()
    {
        var assembly = typeof(WebAssets).Assembly;
        var files = new Dictionary<string, (byte[], string)>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith("assets/", StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var name = resource["assets/".Length..];
            var type = Path.GetExtension(name) switch
            {
                ".css" => "text/css; charset=utf-8",
                ".js" => "text/javascript; charset=utf-8",
                ".svg" => "image/svg+xml",
                _ => "application/octet-stream",
            };
            files[name] = (copy.ToArray(), type);
        }
        return files.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
