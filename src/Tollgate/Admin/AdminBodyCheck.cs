using System.Text.Json;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.Options;
using Tollgate.Gateway;

namespace Tollgate.Admin;

/// <summary>
/// Every admin request body passes here before its endpoint binds it: it must be one JSON document
/// (depth ≤ 64) that repeats no field at any level, and must read as the endpoint's request type
/// with numbers as numbers and strings as strings. Otherwise the answer is a 400 in the one error
/// shape naming the field, the way <c>/v1</c> refuses it, and nothing is changed.
/// </summary>
internal sealed class AdminBodyCheck(RequestDelegate next)
{
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 64 };

    public async Task InvokeAsync(HttpContext context, IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json)
    {
        var request = context.Request;
        if (context.GetEndpoint()?.Metadata.GetMetadata<IAcceptsMetadata>()?.RequestType is not { } type
            || request.ContentLength == 0 || !request.HasJsonContentType())
        {
            await next(context);
            return;
        }
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, context.RequestAborted);
        if (buffer.Length > 0 && Refusal(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), type, json.Value.SerializerOptions) is { } error)
        {
            await ApiErrorWriter.WriteAsync(context, error);
            return;
        }
        buffer.Position = 0;
        request.Body = buffer;
        await next(context);
    }

    private static ApiError? Refusal(ReadOnlyMemory<byte> body, Type type, JsonSerializerOptions options)
    {
        try
        {
            using var document = JsonDocument.Parse(body, DocumentOptions);
            if (SafeJson.FirstDuplicate(document.RootElement, nested: true) is { } duplicate)
                return ApiError.InvalidRequest($"The field '{duplicate}' appears more than once.", duplicate, "duplicate_parameter");
        }
        catch (JsonException)
        {
            return ApiError.InvalidRequest("We could not parse the JSON body of your request. Send a JSON object.");
        }
        try
        {
            _ = JsonSerializer.Deserialize(body.Span, options.GetTypeInfo(type));
            return null;
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException or InvalidOperationException)
        {
            var field = FieldOf((ex as JsonException)?.Path);
            return field is null
                ? ApiError.InvalidRequest("The request body does not have the shape this request takes.", code: "invalid_type")
                : ApiError.InvalidRequest($"'{field}' has the wrong type or an impossible value.", field, "invalid_type");
        }
    }

    /// <summary><c>$.backends[0].weight</c> → <c>backends[0].weight</c>; null for the whole body.</summary>
    private static string? FieldOf(string? path)
    {
        if (path is null) return null;
        var field = path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');
        if (field.Length == 0) return null;
        return field.Length > 100 ? field[..100] : field;
    }
}
