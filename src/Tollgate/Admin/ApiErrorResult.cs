using Tollgate.Gateway;

namespace Tollgate.Admin;

/// <summary>An <see cref="ApiError"/> as an endpoint result, so admin handlers can return <c>Results&lt;…&gt;</c>.</summary>
internal sealed class ApiErrorResult(ApiError error) : IResult
{
    public ApiError Error { get; } = error;

    public Task ExecuteAsync(HttpContext httpContext) => ApiErrorWriter.WriteAsync(httpContext, Error);

    public static ApiErrorResult Invalid(string message, string param) => new(ApiError.InvalidRequest(message, param));

    public static ApiErrorResult NotFound(string what, string id) =>
        new(new ApiError(StatusCodes.Status404NotFound, "invalid_request_error", "resource_missing", $"No such {what}: '{id}'."));

    /// <summary>The admin token's scopes do not cover this change (403), saying which scope would.</summary>
    public static ApiErrorResult InsufficientScope(string message) =>
        new(new ApiError(StatusCodes.Status403Forbidden, "invalid_request_error", "insufficient_scope", message));

    /// <summary>The request is valid but the resource's state does not allow it (409).</summary>
    public static ApiErrorResult Conflict(string message, string code) =>
        new(new ApiError(StatusCodes.Status409Conflict, "invalid_request_error", code, message));
}
