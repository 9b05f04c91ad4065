using Tollgate.Gateway;

namespace Tollgate.Storage;

/// <summary>
/// A request whose database call failed on a broken storage (an admin change, a console form, an
/// account read) answers 503 <c>storage_unavailable</c> with a retry-after in the one error shape,
/// never a bare 500. <see cref="StorageFaultWatch"/> has already tripped the gateway by then.
/// </summary>
internal static partial class StorageFaultAnswer
{
    public static IApplicationBuilder UseStorageFaultAnswer(this IApplicationBuilder app)
    {
        var logger = app.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(StorageFaultAnswer).FullName!);
        return app.Use(async (context, next) =>
        {
            try
            {
                await next(context);
            }
            catch (Exception ex) when (!context.Response.HasStarted && StorageFaults.Describe(ex) is { } fault)
            {
                LogAnswered(logger, context.Request.Method, context.Request.Path, fault);
                context.Response.Clear();
                await ApiErrorWriter.WriteAsync(context, Error(), StorageGuard.RetryAfter);
            }
        });
    }

    public static ApiError Error() => ApiError.Unavailable(
        "The gateway's database is failing, so this request could not be completed; a change that failed was not made. " +
        "Retry after the time in the retry-after header.",
        "storage_unavailable");

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Method} {Path} failed on a storage fault ({Fault}); answered 503 storage_unavailable")]
    private static partial void LogAnswered(ILogger logger, string method, PathString path, string fault);
}
