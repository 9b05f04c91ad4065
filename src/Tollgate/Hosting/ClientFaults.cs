using Tollgate.Gateway;

namespace Tollgate.Hosting;

/// <summary>
/// Kestrel ends a request the client got wrong at the transport level — a body arriving too slowly
/// (408), or a malformed or oversized one — by throwing <see cref="BadHttpRequestException"/> into the
/// application. That is the client's fault, not the server's: it is logged at information level (not
/// as an unhandled exception) and answered in the one error shape where the response has not started.
/// </summary>
internal static partial class ClientFaults
{
    public static IApplicationBuilder UseClientFaults(this IApplicationBuilder app)
    {
        var logger = app.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ClientFaults).FullName!);
        return app.Use(next => context => HandleAsync(context, next, logger));
    }

    internal static async Task HandleAsync(HttpContext context, RequestDelegate next, ILogger logger)
    {
        try
        {
            await next(context);
        }
        catch (BadHttpRequestException ex)
        {
            LogClientFault(logger, ex.StatusCode, context.Request.Method, context.Request.Path, ex.Message);
            if (context.Response.HasStarted) return;
            var code = ex.StatusCode == StatusCodes.Status408RequestTimeout ? "request_timeout" : "bad_request";
            var error = new ApiError(ex.StatusCode, "invalid_request_error", code, $"The request could not be read: {ex.Message}");
            try
            {
                await ApiErrorWriter.WriteAsync(context, error);
            }
            catch (Exception write) when (write is IOException or OperationCanceledException or InvalidOperationException)
            {
                // The connection is already closing: the status is all the client could get.
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Client fault {Status} on {Method} {Path}: {Reason}")]
    private static partial void LogClientFault(ILogger logger, int status, string method, PathString path, string reason);
}
