namespace Tollgate.Bench.Mock;

/// <summary>The one request handler: no routing, no JSON writing, only precomputed bytes.</summary>
internal static class MockHandler
{
    public static async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var response = context.Response;
        if (HttpMethods.IsGet(request.Method) && request.Path == "/health")
        {
            response.StatusCode = StatusCodes.Status200OK;
            return;
        }
        if (!HttpMethods.IsPost(request.Method) || request.Path != "/v1/chat/completions")
        {
            response.StatusCode = StatusCodes.Status404NotFound;
            response.ContentType = "application/json";
            response.ContentLength = MockResponses.NotFound.Length;
            await response.Body.WriteAsync(MockResponses.NotFound, context.RequestAborted);
            return;
        }
        var shape = await ChatRequestSniffer.ReadAsync(request.BodyReader, context.RequestAborted);
        if (!shape.Stream)
        {
            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = "application/json";
            response.ContentLength = MockResponses.Completion.Length;
            await response.BodyWriter.WriteAsync(MockResponses.Completion, context.RequestAborted);
            return;
        }
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        var output = response.BodyWriter;
        // One flush per event, as a real model streams token by token (without its pauses).
        foreach (var chunk in MockResponses.StreamChunks)
        {
            await output.WriteAsync(chunk, context.RequestAborted);
        }
        if (shape.IncludeUsage) await output.WriteAsync(MockResponses.UsageChunk, context.RequestAborted);
        await output.WriteAsync(MockResponses.Done, context.RequestAborted);
    }
}
