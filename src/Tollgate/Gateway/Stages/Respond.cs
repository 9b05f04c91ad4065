using System.Buffers;
using System.Text.Json;
using Tollgate.Upstreams;

namespace Tollgate.Gateway.Stages;

/// <summary>
/// Finishes a non-streaming response: meter from the backend's body, settle, and only then send
/// the body (model rewritten, usage with cost) to the client.
/// </summary>
internal sealed class Respond(Meter meter, Settle settle)
{
    public async Task<ApiError?> RunAsync(GatewayRequest request, BackendJson backend)
    {
        using var document = JsonDocument.Parse(backend.Body);
        var root = document.RootElement;
        var isChat = request.Operation == ModelOperation.ChatCompletions;
        meter.Run(request, BackendUsage.Read(root), isChat ? () => Meter.CompletionText(root) : null);
        if (await settle.RunAsync(request) is { } notRecorded) return notRecorded;
        var response = request.Http.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json";
        var buffer = new ArrayBufferWriter<byte>(backend.Body.Length + 64);
        if (request.Surface is { } surface) surface.WriteResponse(buffer, root, request);
        else ResponseJson.Write(buffer, root, request, withUsage: true);
        if (request.Surface is { } keeping) await keeping.KeepAsync(request);
        response.ContentLength = buffer.WrittenCount;
        await response.Body.WriteAsync(buffer.WrittenMemory, request.Http.RequestAborted);
        return null;
    }

    /// <summary>A backend's 4xx goes back as the backend wrote it: its verdict on the request, not billed.</summary>
    public static async Task PassThroughAsync(HttpContext http, Upstreams.BackendFailure failure, Surfaces.WireSurface? surface = null)
    {
        var status = failure.StatusCode ?? StatusCodes.Status400BadRequest;
        http.Response.StatusCode = status;
        http.Response.ContentType = surface is null ? failure.ContentType ?? "application/json" : "application/json";
        var body = surface is null ? failure.Body : surface.PassThrough(status, failure.Body ?? []);
        if (body is { Length: > 0 }) await http.Response.Body.WriteAsync(body, http.RequestAborted);
    }
}
