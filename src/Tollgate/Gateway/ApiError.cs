namespace Tollgate.Gateway;

/// <summary>
/// An error in OpenAI's shape, <c>{"error":{"message","type","param","code"}}</c>, used by the
/// data plane and the admin API alike.
/// </summary>
internal sealed record ApiError(int Status, string Type, string? Code, string Message, string? Param = null)
{
    public static ApiError InvalidRequest(string message, string? param = null, string? code = null) =>
        new(StatusCodes.Status400BadRequest, "invalid_request_error", code, message, param);

    public static ApiError InvalidApiKey(string message) =>
        new(StatusCodes.Status401Unauthorized, "invalid_request_error", "invalid_api_key", message);

    public static ApiError ModelNotFound(string model) =>
        new(StatusCodes.Status404NotFound, "invalid_request_error", "model_not_found",
            $"The model '{Clip(model)}' does not exist or you do not have access to it.", "model");

    public static ApiError ModelGated(string model, string howToQualify) =>
        new(StatusCodes.Status403Forbidden, "invalid_request_error", "model_gated",
            $"The model '{model}' is available by arrangement only. {howToQualify}", "model");

    /// <summary>A resource named in the request (a recorded request, a conversation) that this account has none of.</summary>
    public static ApiError ResourceMissing(string message, string param) =>
        new(StatusCodes.Status404NotFound, "invalid_request_error", "resource_missing", message, param);

    public static ApiError NotFound(string message) =>
        new(StatusCodes.Status404NotFound, "invalid_request_error", "unknown_url", message);

    /// <summary>Too many wrong credentials from one client: answered before any credential is checked.</summary>
    public static ApiError TooManyAuthFailures(TimeSpan retryAfter) =>
        new(StatusCodes.Status429TooManyRequests, "rate_limit_exceeded", "too_many_authentication_failures",
            $"Too many requests with invalid credentials from this client. Retry in {Math.Max(1, (long)Math.Ceiling(retryAfter.TotalSeconds))} s.");

    public static ApiError UpstreamUnavailable(string message) =>
        new(StatusCodes.Status502BadGateway, "server_error", "upstream_unavailable", message);

    public static ApiError UpstreamTimeout(string message) =>
        new(StatusCodes.Status504GatewayTimeout, "server_error", "upstream_timeout", message);

    public static ApiError Internal(string message, string code = "internal_error") =>
        new(StatusCodes.Status500InternalServerError, "server_error", code, message);

    public static ApiError Unavailable(string message, string code) =>
        new(StatusCodes.Status503ServiceUnavailable, "server_error", code, message);

    /// <summary>Names from the request are quoted back only in part: an error never echoes a huge input.</summary>
    private static string Clip(string text) => text.Length <= 100 ? text : text[..100] + "…";
}
