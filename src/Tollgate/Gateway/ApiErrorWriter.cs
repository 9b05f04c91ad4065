using System.Buffers;
using System.Text.Json;

namespace Tollgate.Gateway;

/// <summary>Writes <see cref="ApiError"/>s, as a response body or as a stream's closing SSE event.</summary>
internal static class ApiErrorWriter
{
    public static Task WriteAsync(HttpContext context, ApiError error, TimeSpan? retryAfter = null)
    {
        var response = context.Response;
        if (response.HasStarted) return Task.CompletedTask;
        // On the Responses and Messages surfaces, errors take that surface's status and shape.
        var surface = context.Features.Get<GatewayRequest>()?.Surface;
        response.StatusCode = surface?.StatusOf(error) ?? error.Status;
        response.ContentType = "application/json";
        if (retryAfter is { } wait) SetRetryAfter(response, wait);
        return response.Body.WriteAsync(surface?.ErrorJson(error) ?? ToJson(error)).AsTask();
    }

    /// <summary><c>retry-after</c> in whole seconds, at least one.</summary>
    public static void SetRetryAfter(HttpResponse response, TimeSpan wait) =>
        response.Headers.RetryAfter = Math.Max(1, (long)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// The last event of a stream that failed after its 200 status was sent:
    /// <c>event: error</c> with the error object as data.
    /// </summary>
    public static byte[] ToSseEvent(ApiError error)
    {
        var json = ToJson(error);
        var buffer = new byte["event: error\ndata: "u8.Length + json.Length + 2];
        "event: error\ndata: "u8.CopyTo(buffer);
        json.CopyTo(buffer.AsSpan("event: error\ndata: "u8.Length));
        buffer[^2] = (byte)'\n';
        buffer[^1] = (byte)'\n';
        return buffer;
    }

    public static byte[] ToJson(ApiError error)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer, Hosting.JsonWriting.Options))
        {
            w.WriteStartObject();
            w.WriteStartObject("error");
            w.WriteString("message", error.Message);
            w.WriteString("type", error.Type);
            if (error.Param is null) w.WriteNull("param");
            else w.WriteString("param", error.Param);
            if (error.Code is null) w.WriteNull("code");
            else w.WriteString("code", error.Code);
            w.WriteEndObject();
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }
}
